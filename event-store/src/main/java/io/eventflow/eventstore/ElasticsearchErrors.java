package io.eventflow.eventstore;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;
import java.io.IOException;
import org.elasticsearch.client.ResponseException;

/**
 * Retryability of Elasticsearch failures: transport errors and 429/5xx are transient; any other
 * status is decided by the caller (409 usually means "already there", 4xx a permanent error).
 */
public final class ElasticsearchErrors {
    private ElasticsearchErrors() {
    }

    public static boolean isTransientStatus(int status) {
        return status == 429 || status >= 500;
    }

    /** True when retrying the same request later may succeed. */
    public static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ElasticsearchException ee) {
                return isTransientStatus(ee.status());
            }
            if (t instanceof ResponseException re) {
                return isTransientStatus(re.getResponse().getStatusLine().getStatusCode());
            }
            if (t instanceof TransportException te && te.statusCode() > 0) {
                return isTransientStatus(te.statusCode());
            }
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
