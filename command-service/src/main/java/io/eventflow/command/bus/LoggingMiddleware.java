package io.eventflow.command.bus;

import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs every command with its id, aggregate, correlation id and outcome. Thread-safe. */
public final class LoggingMiddleware<S, C, R> implements Middleware<S, C, R> {
    private static final Logger log = LoggerFactory.getLogger(LoggingMiddleware.class);

    private final Function<? super R, Outcome> classifier;

    public LoggingMiddleware(Function<? super R, Outcome> classifier) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    @Override
    public R handle(S state, CommandMessage<? extends C> message, Next<S, C, R> next) {
        R result;
        try {
            result = next.handle(state, message);
        } catch (RuntimeException e) {
            log.warn("command {} ({}) for {} failed (correlation {}): {}", message.commandId(),
                    message.payload().getClass().getSimpleName(), message.aggregateId(), message.correlationId(),
                    e.toString());
            throw e;
        }
        Outcome outcome = classifier.apply(result);
        if (Outcome.ACCEPTED.equals(outcome)) {
            log.debug("command {} ({}) for {} accepted (correlation {})", message.commandId(),
                    message.payload().getClass().getSimpleName(), message.aggregateId(), message.correlationId());
        } else {
            log.info("command {} ({}) for {} {} {} (correlation {})", message.commandId(),
                    message.payload().getClass().getSimpleName(), message.aggregateId(), outcome.status(),
                    outcome.reason(), message.correlationId());
        }
        return result;
    }
}
