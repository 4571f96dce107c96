/**
 * The projector service's entry points, the only types other modules may use:
 * {@link io.eventflow.projection.ProjectorMain} (the service) and
 * {@link io.eventflow.projection.ProjectorCli} (rebuild, status, rollback, cleanup), the embeddable
 * {@link io.eventflow.projection.Projector}, its {@link io.eventflow.projection.ProjectorConfig}, and
 * {@link io.eventflow.projection.ProjectionDocuments} for tools that must write the same documents.
 *
 * <p>Everything in the sub-packages ({@code live}, {@code sink}, {@code rebuild}) is internal; a
 * test in this module ({@code ProjectorArchitectureTest}) keeps it that way.
 */
package io.eventflow.projection;
