package io.eventflow.schemas.serde;

/**
 * A schema registry compatibility level (the Confluent names), and eventflow's choice per subject
 * (docs/adr/0010-schema-evolution.md).
 */
public enum Compatibility {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    /**
     * The level eventflow sets on the value subject of {@code topic} (subject {@code <topic>-value}):
     * <ul>
     *   <li>events ({@code *-events}): BACKWARD_TRANSITIVE: events are kept forever and replayed by
     *       rebuilds, so the newest reader must read every version ever written, not only the last;</li>
     *   <li>commands ({@code *-commands}): BACKWARD_TRANSITIVE: the command-service (the one reader)
     *       upgrades first and must read whatever any not-yet-upgraded producer still sends;</li>
     *   <li>command results ({@code *-command-results}): FORWARD_TRANSITIVE: the command-service (the
     *       one writer) may upgrade before the clients that read results, whose older readers must
     *       read its new results;</li>
     *   <li>dead-letter topics ({@code *-dlq}) and anything else: null (the registry's global level
     *       applies).</li>
     * </ul>
     *
     * @return the level, or null for a topic eventflow sets none for
     */
    public static Compatibility forTopic(String topic) {
        if (topic.endsWith("-events")) {
            return BACKWARD_TRANSITIVE;
        }
        if (topic.endsWith("-commands")) {
            return BACKWARD_TRANSITIVE;
        }
        if (topic.endsWith("-command-results")) {
            return FORWARD_TRANSITIVE;
        }
        return null;
    }
}
