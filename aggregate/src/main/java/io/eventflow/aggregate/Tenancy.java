package io.eventflow.aggregate;

import java.util.Objects;
import java.util.Optional;

/**
 * The tenancy rule, one for every aggregate type: an aggregate's organization is fixed when it is
 * created. A creating command's envelope organization must equal the one it creates the aggregate
 * in; every other command must carry the existing aggregate's organization. A missing organization
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
        String creates = domain.createsIn(command);
        if (creates != null) {
            return organizationId.equals(creates) ? Optional.empty()
                    : reject("metadata.organizationId '" + organizationId + "' is not the organizationId '" + creates
                            + "' the command creates the aggregate in");
        }
        String owner = domain.organizationId(state);
        if (owner != null && !Objects.equals(organizationId, owner)) {
            return reject("aggregate " + aggregateId + " belongs to another organization than '" + organizationId + "'");
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
