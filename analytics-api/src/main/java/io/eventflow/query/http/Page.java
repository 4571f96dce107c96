package io.eventflow.query.http;

import java.util.List;

/** One page; {@code next} is null on the last page. {@code total} is exact up to 10,000. */
public record Page(long total, String totalRelation, List<?> items, String next) {
}
