package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SearchAfterPagesTest {
    /** Hits 0..n-1 sorted ascending; search_after is the last value seen. */
    private static SearchAfterPages.Search<Integer, Integer> numbers(int n, List<Integer> asked) {
        return (after, size) -> {
            asked.add(after);
            int start = after == null ? 0 : after + 1;
            return IntStream.range(start, Math.min(n, start + size)).boxed().toList();
        };
    }

    @Test
    void forEachSeesEveryHitOnceAndStopsOnAShortPage() throws Exception {
        for (int n : List.of(0, 1, 2, 3, 4, 7)) {
            List<Integer> asked = new ArrayList<>();
            List<Integer> seen = new ArrayList<>();
            SearchAfterPages.forEach(2, numbers(n, asked), h -> h, seen::add);
            assertThat(seen).as("n=%d", n).isEqualTo(IntStream.range(0, n).boxed().toList());
            // A full last page costs one more (empty) search.
            assertThat(asked).as("n=%d", n).hasSize(n / 2 + 1);
        }
    }

    @Test
    void aPageTellsWhetherAnotherFollowsWithOneSearch() throws Exception {
        List<Integer> asked = new ArrayList<>();
        SearchAfterPages.Page<Integer, Integer> first = SearchAfterPages.page(3, null, numbers(7, asked), h -> h);
        assertThat(first.hits()).containsExactly(0, 1, 2);
        assertThat(first.next()).isEqualTo(2);
        SearchAfterPages.Page<Integer, Integer> second = SearchAfterPages.page(3, first.next(), numbers(7, asked), h -> h);
        assertThat(second.hits()).containsExactly(3, 4, 5);
        SearchAfterPages.Page<Integer, Integer> last = SearchAfterPages.page(3, second.next(), numbers(7, asked), h -> h);
        assertThat(last.hits()).containsExactly(6);
        assertThat(last.next()).isNull();
        assertThat(asked).hasSize(3);
    }

    @Test
    void aPageExactlyFullIsTheLast() throws Exception {
        SearchAfterPages.Page<Integer, Integer> page = SearchAfterPages.page(3, null, numbers(3, new ArrayList<>()), h -> h);
        assertThat(page.hits()).containsExactly(0, 1, 2);
        assertThat(page.next()).isNull();
    }
}
