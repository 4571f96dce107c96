package io.eventflow.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.Position;
import io.eventflow.payments.PaymentState;
import io.eventflow.payments.Payments;
import io.eventflow.projection.ProjectionDocuments;
import io.eventflow.schemas.EventEnvelope;
import java.util.LinkedHashMap;
import java.util.Map;

/** The payments read-model document a test expects after an event: the payments module's one fold. */
final class PaymentFolds {
    private static final ObjectMapper MAPPER = ElasticsearchClients.objectMapper();

    private PaymentFolds() {
    }

    /** {@code before} is the document before {@code e}, or null; {@code at} its place in the topic, or null. */
    @SuppressWarnings("unchecked")
    static PaymentView fold(PaymentView before, EventEnvelope e, Position at) {
        PaymentState state = before == null ? null
                : Payments.TYPE.readModel().fromDocument(MAPPER.convertValue(before, Map.class));
        PaymentState next = ProjectionDocuments.fold(Payments.TYPE, state, e);
        if (next == state) {
            return before;
        }
        Map<String, Object> doc = new LinkedHashMap<>(ProjectionDocuments.document(Payments.TYPE, next));
        doc.put("position", at);
        return MAPPER.convertValue(doc, PaymentView.class);
    }

    static PaymentView fold(PaymentView before, EventEnvelope e) {
        return fold(before, e, null);
    }
}
