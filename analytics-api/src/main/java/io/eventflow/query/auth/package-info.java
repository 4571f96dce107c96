/**
 * Internal: not an API. API keys and the tenant each one stands for; public only so the HTTP
 * layer and the query packages of this service can use them.
 */
package io.eventflow.query.auth;
