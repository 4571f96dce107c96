package io.eventflow.command.pipeline;

import io.eventflow.schemas.EventEnvelope;
import org.apache.avro.Schema;

/** The test-only {@link Tally} type's event envelope: the standard one under its own name. */
public class TallyEventEnvelope extends EventEnvelope {
    public static final Schema SCHEMA$ = Tally.renamed(EventEnvelope.SCHEMA$, "TallyEventEnvelope");

    @Override
    public Schema getSchema() {
        return SCHEMA$;
    }
}
