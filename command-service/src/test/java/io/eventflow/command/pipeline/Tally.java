package io.eventflow.command.pipeline;

import io.eventflow.aggregate.AggregateNames;
import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.AvroEdge;
import io.eventflow.aggregate.Decision;
import io.eventflow.aggregate.Domain;
import io.eventflow.aggregate.ReadModel;
import io.eventflow.aggregate.Recorded;
import io.eventflow.aggregate.RejectionCode;
import io.eventflow.aggregate.StateCodec;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.payment.FailPayment;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import io.eventflow.schemas.payment.ProcessPayment;
import io.eventflow.schemas.payment.RefundPayment;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * A test-only aggregate type, {@code Tally}: a running total per id in an organization. It has its
 * own envelopes (renamed copies of the standard ones) and reuses the payment records as its
 * payloads, so no Avro generation is needed: {@code ProcessPayment} opens a tally, {@code RefundPayment}
 * adds to it. Enough to run a second type beside payments.
 */
public final class Tally {
    public static final AggregateType<State, SpecificRecord, SpecificRecord> TYPE = new Type();

    private Tally() {
    }

    public record State(String id, String organizationId, long total, long version) {
    }

    enum Code implements RejectionCode {
        TALLY_NOT_FOUND, TALLY_EXISTS
    }

    /** A renamed copy of a standard envelope schema, in this package, defaulting aggregateType to Tally. */
    static Schema renamed(Schema s, String name) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : s.getFields()) {
            fields.add(f.name().equals("aggregateType")
                    ? new Schema.Field(f.name(), f.schema(), f.doc(), "Tally")
                    : new Schema.Field(f, f.schema()));
        }
        return Schema.createRecord(name, s.getDoc(), Tally.class.getPackageName(), false, fields);
    }

    static TallyCommandEnvelope envelope(CommandEnvelope standard, String aggregateType) {
        TallyCommandEnvelope t = new TallyCommandEnvelope();
        for (Schema.Field f : CommandEnvelope.SCHEMA$.getFields()) {
            t.put(f.pos(), standard.get(f.pos()));
        }
        t.setAggregateType(aggregateType);
        return t;
    }

    private static final class Type implements AggregateType<State, SpecificRecord, SpecificRecord> {
        private static final AggregateNames NAMES = new AggregateNames("Tally", "tally", "tallies");

        @Override
        public AggregateNames names() {
            return NAMES;
        }

        @Override
        public Domain<State, SpecificRecord, SpecificRecord> domain() {
            return DOMAIN;
        }

        @Override
        public AvroEdge<SpecificRecord, SpecificRecord> avro() {
            return AVRO;
        }

        @Override
        public StateCodec<State> stateCodec() {
            return CODEC;
        }

        @Override
        public ReadModel<State> readModel() {
            return new ReadModel<>() {
                @Override
                public String mappings() {
                    return "{}";
                }

                @Override
                public Map<String, Object> toDocument(State state) {
                    return Map.of();
                }

                @Override
                public State fromDocument(Map<String, Object> document) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }

    private static final Domain<State, SpecificRecord, SpecificRecord> DOMAIN = new Domain<>() {
        @Override
        public State initial(String aggregateId) {
            return new State(aggregateId, null, 0, 0);
        }

        @Override
        public void handlers(Handlers<State, SpecificRecord, SpecificRecord> handlers) {
            handlers.on(ProcessPayment.class, (s, c) -> s.version() > 0
                            ? Decision.reject(Code.TALLY_EXISTS, "tally " + s.id() + " exists")
                            : Decision.accept(new PaymentProcessed(c.getPaymentId(), c.getAmount(), c.getCurrency(),
                                    c.getOrganizationId(), c.getUserId(), null)))
                    .on(RefundPayment.class, (s, c) -> s.version() == 0
                            ? Decision.reject(Code.TALLY_NOT_FOUND, "tally " + s.id() + " not found")
                            : Decision.accept(new PaymentRefunded(c.getPaymentId(), c.getRefundAmount())));
        }

        @Override
        public State evolve(State s, Recorded<SpecificRecord> e) {
            if (e.event() instanceof PaymentProcessed p) {
                return new State(e.aggregateId(), p.getOrganizationId(), p.getAmount(), e.version());
            }
            PaymentRefunded r = (PaymentRefunded) e.event();
            return new State(s.id(), s.organizationId(), s.total() + r.getRefundAmount(), e.version());
        }

        @Override
        public long version(State state) {
            return state.version();
        }

        @Override
        public String organizationId(State state) {
            return state.organizationId();
        }

        @Override
        public String aggregateId(SpecificRecord c) {
            return c instanceof ProcessPayment p ? p.getPaymentId()
                    : c instanceof RefundPayment r ? r.getPaymentId() : ((FailPayment) c).getPaymentId();
        }

        @Override
        public String createsIn(SpecificRecord c) {
            return c instanceof ProcessPayment p ? p.getOrganizationId() : null;
        }
    };

    private static final AvroEdge<SpecificRecord, SpecificRecord> AVRO = new AvroEdge<>() {
        @Override
        public Class<? extends SpecificRecord> commandEnvelope() {
            return TallyCommandEnvelope.class;
        }

        @Override
        public Class<? extends SpecificRecord> eventEnvelope() {
            return TallyEventEnvelope.class;
        }

        @Override
        public SpecificRecord command(SpecificRecord payload) {
            return payload;
        }

        @Override
        public SpecificRecord event(SpecificRecord event) {
            return event;
        }
    };

    private static final StateCodec<State> CODEC = new StateCodec<>() {
        @Override
        public int format() {
            return 1;
        }

        @Override
        public void write(DataOutput out, State s) throws IOException {
            out.writeUTF(s.id());
            out.writeBoolean(s.organizationId() != null);
            out.writeUTF(s.organizationId() == null ? "" : s.organizationId());
            out.writeLong(s.total());
            out.writeLong(s.version());
        }

        @Override
        public State read(DataInput in, int format) throws IOException {
            String id = in.readUTF();
            boolean hasOrg = in.readBoolean();
            String org = in.readUTF();
            return new State(id, hasOrg ? org : null, in.readLong(), in.readLong());
        }
    };
}
