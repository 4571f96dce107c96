package io.eventflow.aggregate;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What an aggregate type is called where.
 *
 * @param type the {@code aggregateType} written in every envelope, e.g. {@code Payment}; commands on
 *     the type's topic that name another type are refused
 * @param topicBase the prefix of its topics, e.g. {@code payment}: {@code payment-commands},
 *     {@code payment-events} (its system of record), {@code payment-command-results},
 *     {@code payment-commands-dlq} and {@code payment-events-dlq}. Each can be renamed in config.
 * @param readModel the name of its read model, e.g. {@code payments}: the alias of the read-model
 *     index (after the index prefix), the name {@code projector-cli rebuild} takes, the API's path
 *     and the config namespace of the type
 */
public record AggregateNames(String type, String topicBase, String readModel) {
    private static final Pattern TYPE = Pattern.compile("[A-Z][A-Za-z0-9]{0,63}");
    private static final Pattern LOWER = Pattern.compile("[a-z][a-z0-9-]{0,63}");

    public AggregateNames {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(topicBase, "topicBase");
        Objects.requireNonNull(readModel, "readModel");
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("aggregate type '" + type + "' must match " + TYPE);
        }
        if (!LOWER.matcher(topicBase).matches() || !LOWER.matcher(readModel).matches()) {
            throw new IllegalArgumentException("topic base '" + topicBase + "' and read model '" + readModel
                    + "' must match " + LOWER);
        }
        if ("events".equals(readModel)) {
            throw new IllegalArgumentException("'events' is the event store's own index");
        }
    }

    public String commandsTopic() {
        return topicBase + "-commands";
    }

    public String eventsTopic() {
        return topicBase + "-events";
    }

    public String resultsTopic() {
        return topicBase + "-command-results";
    }

    public String commandsDeadLetterTopic() {
        return topicBase + "-commands-dlq";
    }

    public String eventsDeadLetterTopic() {
        return topicBase + "-events-dlq";
    }
}
