/**
 * Internal: not an API. The offline rebuild of the projector's indices: replay into a new index,
 * verification by checksum, alias swap, rollback, status and cleanup. Types are public only so that
 * {@link io.eventflow.projection.ProjectorCli} can use them; other modules must not.
 */
package io.eventflow.projection.rebuild;
