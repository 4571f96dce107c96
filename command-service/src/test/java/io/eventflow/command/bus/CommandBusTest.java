package io.eventflow.command.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommandBusTest {
    @Test
    void dispatchesByTypeAndRefusesADuplicateRegistration() {
        CommandBus<String, Object, String> bus = new CommandBus<String, Object, String>()
                .register(Integer.class, (s, c) -> s + c);

        assertThat(bus.dispatch("n=", 7)).isEqualTo("n=7");
        assertThatThrownBy(() -> bus.register(Integer.class, (s, c) -> s))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("java.lang.Integer");
        assertThatThrownBy(() -> bus.dispatch("x", "a string")).isInstanceOf(NoHandlerException.class);
    }
}
