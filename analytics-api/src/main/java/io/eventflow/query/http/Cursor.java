package io.eventflow.query.http;

import java.util.List;

/**
 * Where a paginated walk stands: the point in time (null until a second page opens one) and the
 * last hit's sort values.
 */
public record Cursor(String pointInTime, List<Object> after) {
}
