/**
 * Internal: not an API. The live projection: the consumer loop, batching of records into bulks,
 * dead-lettering, health status and metrics, and the wiring that builds them from a
 * {@link io.eventflow.projection.ProjectorConfig}. Types are public only so that the entry points
 * and the rebuild tool can use them; other modules must not.
 */
package io.eventflow.projection.live;
