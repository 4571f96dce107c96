package io.eventflow.eventstore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The two ways a caller pages through Elasticsearch hits with search_after, written once: a walk
 * over every hit ({@link #forEach}), and one page of a walk a client continues later
 * ({@link #page}). The caller's {@link Search} sends the request (typed or raw client, with or
 * without a point in time, sorted as it likes); this class decides when a walk ends and what the
 * next search starts after. Stateless and thread-safe; a walk runs on the calling thread.
 */
public final class SearchAfterPages {
    private SearchAfterPages() {
    }

    /**
     * One search request.
     *
     * @param <H> a hit
     * @param <A> the sort values of a hit, as the request's search_after takes them
     */
    @FunctionalInterface
    public interface Search<H, A> {
        /**
         * Up to {@code size} hits sorted by the caller's sort, after {@code after}.
         *
         * @param after null for the first page
         */
        List<H> search(A after, int size) throws IOException;
    }

    /**
     * One page of a walk, and where the next starts.
     *
     * @param hits at most the page size, never null
     * @param next the sort values to continue after; null when this is the last page
     */
    public record Page<H, A>(List<H> hits, A next) {
        public Page {
            hits = Collections.unmodifiableList(new ArrayList<>(hits));
        }
    }

    /**
     * Every hit, in the search's order, page by page: each search asks for {@code pageSize} hits
     * and continues after the last hit of the one before; a page with fewer hits is the last.
     *
     * @param pageSize hits per search, at least 1
     * @param afterOf a hit's sort values
     * @param sink receives each hit, in order
     */
    public static <H, A> void forEach(int pageSize, Search<H, A> search, Function<? super H, ? extends A> afterOf,
            Consumer<? super H> sink) throws IOException {
        checkSize(pageSize);
        Objects.requireNonNull(afterOf, "afterOf");
        A after = null;
        while (true) {
            List<H> hits = search.search(after, pageSize);
            hits.forEach(sink);
            if (hits.size() < pageSize) {
                return;
            }
            after = afterOf.apply(hits.get(hits.size() - 1));
        }
    }

    /**
     * One page of {@code size} hits after {@code after}. It asks for one hit more than the page, so
     * whether another page exists is known without a second search (and without exact totals).
     *
     * @param after null for the first page
     * @param afterOf a hit's sort values
     */
    public static <H, A> Page<H, A> page(int size, A after, Search<H, A> search,
            Function<? super H, ? extends A> afterOf) throws IOException {
        checkSize(size);
        Objects.requireNonNull(afterOf, "afterOf");
        List<H> hits = search.search(after, size + 1);
        if (hits.size() <= size) {
            return new Page<>(hits, null);
        }
        List<H> page = hits.subList(0, size);
        return new Page<>(page, afterOf.apply(page.get(size - 1)));
    }

    private static void checkSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a page holds at least 1 hit, not " + size);
        }
    }
}
