/**
 * Internal: not an API. Writing to Elasticsearch: bulk writes of event-store documents and the
 * payments read model, the event documents' JSON, and index administration over the REST API.
 * Depends on no other projector package. Types are public only so that the other projector
 * packages can use them; other modules must not.
 */
package io.eventflow.projection.sink;
