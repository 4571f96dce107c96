package io.eventflow.aggregate;

import java.util.Objects;
import java.util.Optional;

/**
 * The tenancy rule, one for every aggregate type: an aggregate's organization is fixed when it is
 * created. Every command on an existing aggregate must carry its organization, a creating one too
 * (so another tenant learns neither its version nor its status); a creating command's envelope
 * organization must also equal the one it creates the aggregate in. A missing organization
 * is a mismatch too. Checked before the version, so another tenant learns nothing about it.
 */
public final class Tenancy {
    private Tenancy() {
    }

    /** A TENANT_MISMATCH rejection, or empty when the command's organization may act on this aggregate. */
    public static <S, C> Optional<Rejection> check(Domain<S, C, ?> domain, S state, String aggregateId,
            String organizationId, C command) {
        if (organizationId == null || organizationId.isEmpty()) {
            return reject("metadata.organizationId is missing; every command names its organization");
        }
        // The owner first, for every command: a creating command on another tenant's aggregate must
        // not go on to the version check or the rules, which would tell its version or status.
        String owner = domain.organizationId(state);
        if (owner != null && !Objects.equals(organizationId, owner)) {
            return reject("aggregate " + aggregateId + " belongs to another organization than '" + organizationId + "'");
        }
        String creates = domain.createsIn(command);
        if (creates != null && !organizationId.equals(creates)) {
            return reject("metadata.organizationId '" + organizationId + "' is not the organizationId '" + creates
                    + "' the command creates the aggregate in");
        }
        return Optional.empty();
    }

    /** Whether a command from {@code organizationId} comes from the aggregate's own tenant (or it does not exist). */
    public static <S> boolean sameTenant(Domain<S, ?, ?> domain, S state, String organizationId) {
        String owner = domain.organizationId(state);
        return owner == null || owner.equals(organizationId);
    }

    private static Optional<Rejection> reject(String message) {
        return Optional.of(Rejection.of(CommonRejection.TENANT_MISMATCH, message));
    }
}
