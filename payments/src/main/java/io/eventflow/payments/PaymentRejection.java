package io.eventflow.payments;

import io.eventflow.aggregate.RejectionCode;

/**
 * Why the payment rules refuse a command. The names are also symbols of the command result's
 * {@code reason} enum, where they were before aggregate types owned their codes; clients of
 * payments may read either.
 */
public enum PaymentRejection implements RejectionCode {
    PAYMENT_NOT_FOUND, ALREADY_PROCESSED, REFUND_EXCEEDS_AMOUNT, INVALID_AMOUNT, UNSUPPORTED_CURRENCY,
    PAYMENT_ALREADY_FAILED, PAYMENT_REFUNDED
}
