package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class StartupFailuresTest {
    @Test
    void kafkasRefusalsNameWhatToCheck() {
        var auth = new IllegalStateException("cannot read topic t", new SaslAuthenticationException("Authentication failed"));
        assertThat(StartupFailures.explain(auth)).startsWith("cannot read topic t")
                .contains("check security.protocol, sasl.mechanism and sasl.jaas.config");
        var acl = new IllegalStateException("cannot create topic t", new TopicAuthorizationException("no"));
        assertThat(StartupFailures.explain(acl)).contains("lacks an ACL");
        assertThat(StartupFailures.explain(new IllegalStateException("other"))).isEqualTo("other");
    }
}
