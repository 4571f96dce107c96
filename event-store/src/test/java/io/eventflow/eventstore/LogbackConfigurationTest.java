package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/** The shipped logback.xml: text by default, JSON lines on request, the MDC of a record on its lines. */
class LogbackConfigurationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonFormatWritesOneParseableObjectPerLineWithTheRecordsMdc() throws Exception {
        List<String> lines = logTwoLines(Map.of("log.format", "json"));

        assertThat(lines).hasSize(2);
        JsonNode about = JSON.readTree(lines.get(0));
        assertThat(about.path("level").asText()).isEqualTo("WARN");
        assertThat(about.path("loggerName").asText()).isEqualTo("io.eventflow.test");
        assertThat(about.path("formattedMessage").asText()).isEqualTo("dead-lettered: bad \"bytes\"\nsecond line");
        JsonNode mdc = about.path("mdc");
        assertThat(mdc.path(LogContext.TOPIC).asText()).isEqualTo("payment-events");
        assertThat(mdc.path(LogContext.PARTITION).asText()).isEqualTo("2");
        assertThat(mdc.path(LogContext.OFFSET).asText()).isEqualTo("41");
        assertThat(mdc.path(LogContext.EVENT_ID).asText()).isEqualTo("evt-1");
        JsonNode after = JSON.readTree(lines.get(1));
        assertThat(after.path("formattedMessage").asText()).isEqualTo("after the record");
        assertThat(after.path("mdc").size()).as("the record's fields are gone after its block").isZero();
    }

    @Test
    void textIsTheDefaultWithTheMdcInBracesOnlyWhileARecordIsHandled() throws Exception {
        List<String> lines = logTwoLines(Map.of());

        assertThat(lines).hasSize(3); // the message's own newline
        assertThat(lines.get(0)).contains(" WARN ", "io.eventflow.test {", "topic=payment-events", "partition=2",
                "offset=41", "eventId=evt-1", "} - dead-lettered: bad \"bytes\"");
        assertThat(lines.get(2)).contains("io.eventflow.test - after the record").doesNotContain("{");
    }

    @Test
    void levelIsConfigurable() throws Exception {
        List<String> lines = logTwoLines(Map.of("log.level", "ERROR"));

        assertThat(lines).isEmpty();
    }

    /** Configures a fresh context from the shipped file with {@code properties} and logs through it. */
    private static List<String> logTwoLines(Map<String, String> properties) throws JoranException {
        LoggerContext context = new LoggerContext();
        // The services' MDC is SLF4J's, which LogContext writes to.
        context.setMDCAdapter(MDC.getMDCAdapter());
        properties.forEach(context::putProperty);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogbackConfigurationTest.class.getResource("/logback.xml"));
            ((OutputStreamAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console"))
                    .setOutputStream(captured);
            Logger log = context.getLogger("io.eventflow.test");
            try (var ignored = LogContext.record("payment-events", 2, 41).eventId("evt-1")) {
                log.warn("dead-lettered: {}", "bad \"bytes\"\nsecond line");
            }
            log.warn("after the record");
        } finally {
            context.stop();
        }
        List<String> lines = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }
}
