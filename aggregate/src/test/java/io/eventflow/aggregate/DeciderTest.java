package io.eventflow.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Given a domain's registrations, when a command is decided, then its own handler answers. */
class DeciderTest {
    private record Open(String name) {
    }

    private record Close() {
    }

    private record Unknown() {
    }

    private static Domain<String, Object, String> domain(Consumer<Domain.Handlers<String, Object, String>> registrations) {
        return new Domain<>() {
            @Override
            public String initial(String aggregateId) {
                return "";
            }

            @Override
            public void handlers(Handlers<String, Object, String> handlers) {
                registrations.accept(handlers);
            }

            @Override
            public String evolve(String state, Recorded<String> event) {
                return event.event();
            }

            @Override
            public long version(String state) {
                return 0;
            }

            @Override
            public String organizationId(String state) {
                return null;
            }

            @Override
            public String aggregateId(Object command) {
                return "a-1";
            }

            @Override
            public String createsIn(Object command) {
                return null;
            }
        };
    }

    private static final Decider<String, Object, String> DECIDER = Decider.of(domain(h -> h
            .on(Open.class, (s, c) -> Decision.accept("opened " + c.name()))
            .on(Close.class, (s, c) -> Decision.accept("closed after " + s))));

    @Test
    void eachCommandGoesToTheHandlerRegisteredForItsClass() {
        assertThat(DECIDER.decide("", new Open("x"))).isEqualTo(Decision.accept("opened x"));
        assertThat(DECIDER.decide("opened x", new Close())).isEqualTo(Decision.accept("closed after opened x"));
    }

    @Test
    void aCommandWithoutAHandlerIsAClearError() {
        assertThatThrownBy(() -> DECIDER.decide("", new Unknown()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown command Unknown");
    }

    @Test
    void aSecondHandlerForTheSameCommandFailsLoudly() {
        assertThatThrownBy(() -> Decider.of(domain(h -> h
                .on(Open.class, (s, c) -> Decision.accept("one"))
                .on(Open.class, (s, c) -> Decision.accept("two")))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(Open.class.getName());
    }
}
