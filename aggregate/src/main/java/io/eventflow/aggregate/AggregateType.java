package io.eventflow.aggregate;

/**
 * The contract of one aggregate type (payments, workflows, ...): everything the generic services
 * need to carry it, composed of small parts. An aggregate module implements it once, as a constant,
 * and each service registers it with one line in its wiring ({@link AggregateTypes#of}).
 *
 * <ul>
 *   <li>{@link #names()}: its envelope name, its topics by convention, its read model;</li>
 *   <li>{@link #domain()}: pure {@code decide} (one handler per command type) and {@code evolve},
 *       the one fold that the command side's state, the read model and the API's {@code asOf} state
 *       all come from;</li>
 *   <li>{@link #avro()}: its Avro envelopes and the conversions between Avro and domain types;</li>
 *   <li>{@link #stateCodec()}: how the command side stores its state;</li>
 *   <li>{@link #readModel()}: the read-model index (mapping, document shape);</li>
 *   <li>{@link #upcaster()}: old event shapes to the current one, for events read back from the
 *       event store.</li>
 * </ul>
 *
 * <p>Implementations are immutable and thread-safe.
 *
 * @param <S> the aggregate's state (a record); never null: a new aggregate is {@link Domain#initial}
 * @param <C> the command supertype (a sealed interface of records)
 * @param <E> the event supertype (a sealed interface of records)
 */
public interface AggregateType<S, C, E> {

    AggregateNames names();

    Domain<S, C, E> domain();

    AvroEdge<C, E> avro();

    StateCodec<S> stateCodec();

    ReadModel<S> readModel();

    /** The upcaster for documents written from older event shapes; none by default. */
    default Upcaster upcaster() {
        return Upcaster.NONE;
    }
}
