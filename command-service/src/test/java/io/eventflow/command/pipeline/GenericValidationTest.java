package io.eventflow.command.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.aggregate.CommonRejection;
import io.eventflow.aggregate.Decision;
import io.eventflow.aggregate.Recorded;
import io.eventflow.aggregate.Rejection;
import io.eventflow.command.bus.CommandMessage;
import io.eventflow.payments.PaymentCommand;
import io.eventflow.payments.PaymentEvent;
import io.eventflow.payments.PaymentState;
import io.eventflow.payments.Payments;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The checks every aggregate type gets before its handlers run, here with payments. */
class GenericValidationTest {
    private static final String ID = "p-1";
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final GenericValidation<PaymentState, PaymentCommand, PaymentEvent> validation =
            new GenericValidation<>(Payments.TYPE.domain());

    private Decision<PaymentEvent> check(PaymentState state, String org, Long expected, PaymentCommand c) {
        return validation.handle(state, new CommandMessage<>("c", ID, "corr", null, org, expected, c),
                (s, m) -> Decision.accept(new PaymentEvent.PaymentFailed(ID, "passed")));
    }

    /** A payment after a random number of accepted commands (random amounts and refunds). */
    private static PaymentState randomState(SplittableRandom r) {
        PaymentState state = PaymentState.initial(ID);
        int n = r.nextInt(12);
        long version = 0;
        for (int i = 0; i < n; i++) {
            PaymentCommand c = i == 0 ? new PaymentCommand.ProcessPayment(ID, r.nextLong(1, 10_000), "EUR", "org-1", "u-1")
                    : new PaymentCommand.RefundPayment(ID, r.nextLong(-2, 500));
            if (Payments.decide(state, c) instanceof Decision.Accepted<PaymentEvent> a) {
                for (PaymentEvent e : a.events()) {
                    state = Payments.evolve(state, new Recorded<>(ID, ++version, NOW, e));
                }
            }
        }
        return state;
    }

    @Test
    void onlyTheCurrentVersionPassesTheExpectedVersionCheck() {
        for (long seed = 0; seed < 2_000; seed++) {
            PaymentState state = randomState(new SplittableRandom(seed));
            String org = state.exists() ? state.organizationId() : "org-any";
            for (long expected = 0; expected <= state.version() + 1; expected++) {
                Decision<PaymentEvent> d = check(state, org, expected, new PaymentCommand.RefundPayment(ID, 1));
                if (expected == state.version()) {
                    assertThat(d).as("seed %d, expected %d", seed, expected).isInstanceOf(Decision.Accepted.class);
                } else {
                    assertThat(d).as("seed %d, expected %d", seed, expected)
                            .isEqualTo(new Decision.Rejected<>(Rejection.conflict(expected, state.version())));
                }
            }
            assertThat(check(state, org, null, new PaymentCommand.RefundPayment(ID, 1)))
                    .as("no expectedVersion skips the check").isInstanceOf(Decision.Accepted.class);
        }
    }

    @Test
    void thePayloadMustNameTheEnvelopesAggregateBeforeAnythingElse() {
        Decision<PaymentEvent> d = check(PaymentState.initial(ID), null, 7L, new PaymentCommand.RefundPayment("p-2", 1));
        assertThat(d).isInstanceOfSatisfying(Decision.Rejected.class,
                r -> assertThat(r.rejection().is(CommonRejection.INVALID_COMMAND)).isTrue());
    }

    @Test
    void tenancyIsCheckedBeforeTheVersionSoAnotherTenantLearnsNothing() {
        PaymentState state = Payments.evolve(PaymentState.initial(ID), new Recorded<>(ID, 1, NOW,
                new PaymentEvent.PaymentProcessed(ID, 500, "EUR", "org-1", "u-1")));
        for (String org : new String[] {"org-2", null, ""}) {
            Decision<PaymentEvent> d = check(state, org, 5L, new PaymentCommand.RefundPayment(ID, 1));
            assertThat(d).isInstanceOfSatisfying(Decision.Rejected.class, r -> {
                assertThat(r.rejection().is(CommonRejection.TENANT_MISMATCH)).isTrue();
                assertThat(r.rejection().actualVersion()).isNull();
            });
        }
        assertThat(check(PaymentState.initial(ID), "org-1", 0L,
                new PaymentCommand.ProcessPayment(ID, 5, "EUR", "org-2", "u-1")))
                .isInstanceOfSatisfying(Decision.Rejected.class,
                        r -> assertThat(r.rejection().is(CommonRejection.TENANT_MISMATCH)).isTrue());
    }

    @Test
    void aCommandTypeWithTwoHandlersFailsWhenTheBusIsBuilt() {
        var domain = Payments.TYPE.domain();
        var twice = new io.eventflow.aggregate.Domain<PaymentState, PaymentCommand, PaymentEvent>() {
            @Override
            public PaymentState initial(String aggregateId) {
                return domain.initial(aggregateId);
            }

            @Override
            public void handlers(Handlers<PaymentState, PaymentCommand, PaymentEvent> handlers) {
                domain.handlers(handlers);
                handlers.on(PaymentCommand.FailPayment.class, Payments::fail);
            }

            @Override
            public PaymentState evolve(PaymentState state, Recorded<PaymentEvent> event) {
                return domain.evolve(state, event);
            }

            @Override
            public long version(PaymentState state) {
                return domain.version(state);
            }

            @Override
            public String organizationId(PaymentState state) {
                return domain.organizationId(state);
            }

            @Override
            public String aggregateId(PaymentCommand command) {
                return domain.aggregateId(command);
            }

            @Override
            public String createsIn(PaymentCommand command) {
                return domain.createsIn(command);
            }
        };
        var metrics = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        CommandTopology.bus(domain, metrics);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CommandTopology.bus(twice, metrics))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("FailPayment");
    }
}
