package io.eventflow.command.pipeline;

import io.eventflow.schemas.CommandEnvelope;
import org.apache.avro.Schema;

/** The test-only {@link Tally} type's command envelope: the standard one under its own name. */
public class TallyCommandEnvelope extends CommandEnvelope {
    public static final Schema SCHEMA$ = Tally.renamed(CommandEnvelope.SCHEMA$, "TallyCommandEnvelope");

    @Override
    public Schema getSchema() {
        return SCHEMA$;
    }
}
