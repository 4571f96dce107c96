package io.eventflow.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one tenancy rule, on a minimal domain: state = owning organization (null while new). */
class TenancyTest {
    private record Create(String org) {
    }

    private record Act() {
    }

    private static final Domain<String, Object, Object> DOMAIN = new Domain<>() {
        @Override
        public String initial(String aggregateId) {
            return null;
        }

        @Override
        public void handlers(Handlers<String, Object, Object> handlers) {
        }

        @Override
        public String evolve(String state, Recorded<Object> event) {
            return state;
        }

        @Override
        public long version(String state) {
            return state == null ? 0 : 1;
        }

        @Override
        public String organizationId(String state) {
            return state;
        }

        @Override
        public String aggregateId(Object command) {
            return "a-1";
        }

        @Override
        public String createsIn(Object command) {
            return command instanceof Create c ? c.org() : null;
        }
    };

    private static Optional<String> check(String state, String envelopeOrg, Object command) {
        return Tenancy.check(DOMAIN, state, "a-1", envelopeOrg, command).map(Rejection::code);
    }

    @Test
    void aCreatingCommandOnAnotherTenantsAggregateIsATenantMismatch() {
        // Before the owner was checked first, this went on to the rules (ALREADY_STARTED) or the
        // version check, telling org-2 about org-1's aggregate.
        assertThat(check("org-1", "org-2", new Create("org-2"))).contains("TENANT_MISMATCH");
    }

    @Test
    void theOwnerAndTheCreatorPass() {
        assertThat(check(null, "org-1", new Create("org-1"))).isEmpty();
        assertThat(check("org-1", "org-1", new Act())).isEmpty();
        assertThat(check("org-1", "org-1", new Create("org-1"))).isEmpty();
    }

    @Test
    void aMissingOrForeignOrganizationIsRefused() {
        assertThat(check(null, null, new Create("org-1"))).contains("TENANT_MISMATCH");
        assertThat(check(null, "", new Act())).contains("TENANT_MISMATCH");
        assertThat(check(null, "org-2", new Create("org-1"))).contains("TENANT_MISMATCH");
        assertThat(check("org-1", "org-2", new Act())).contains("TENANT_MISMATCH");
    }
}
