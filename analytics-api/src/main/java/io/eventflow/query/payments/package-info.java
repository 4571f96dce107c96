/**
 * Internal: not an API. The payment queries (by id, search, stats) and their routes, plugged into
 * the HTTP layer by {@link io.eventflow.query.payments.PaymentRoutes}.
 */
package io.eventflow.query.payments;
