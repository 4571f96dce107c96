package io.eventflow.projection.rebuild;

import io.eventflow.projection.sink.IndexAdmin;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/** The {@code status} and {@code cleanup} commands: what indices a model has, and deleting old ones. */
public final class RebuildStatus {
    private final RebuildContext ctx;

    public RebuildStatus(RebuildContext ctx) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
    }

    /** Prints the alias, every index of the model with its state and count, and a running rebuild's progress. */
    public int status(String model) throws IOException {
        String alias = ctx.wiring().indices().alias(model);
        String current = ctx.admin().writeIndex(alias).orElse(null);
        ctx.say("%s -> %s", alias, current == null ? "(no index)" : current);
        Map<TopicPartition, Long> end = null;
        for (IndexAdmin.IndexInfo i : ctx.admin().indices(alias)) {
            Map<String, Object> m = i.meta();
            StringBuilder line = new StringBuilder(String.format("  %-3s %-28s %-16s %,12d docs", i.name().equals(current)
                    ? "*" : "", i.name(), i.name().equals(current) && m.get("state") == null ? "live" : i.state(), i.docs()));
            appendIf(line, "created", m.get("createdAt"));
            appendIf(line, "swapped", m.get("swappedAt"));
            appendIf(line, "previous", m.get("previous"));
            appendIf(line, "replaced by", m.get("replacedBy"));
            appendIf(line, "error", m.get("error"));
            if (("building".equals(i.state()) || "verifying".equals(i.state())) && m.get("group") != null) {
                end = end == null ? ctx.offsets().latest() : end;
                Map<TopicPartition, Long> at = ctx.offsets().committed(m.get("group").toString());
                long total = TopicOffsets.sum(end);
                long done = TopicOffsets.sum(at);
                line.append(String.format("; replayed %,d of %,d records (%.1f%%) by group %s", done, total,
                        total == 0 ? 100.0 : 100.0 * done / total, m.get("group")));
            }
            ctx.say("%s", line);
        }
        return 0;
    }

    /**
     * What {@link #status} prints, as data for {@code status --json}: {@code model}, {@code alias},
     * {@code current} (null without an index) and {@code indices}, each with {@code name},
     * {@code state}, {@code docs}, {@code current}, the {@code _meta.eventflow} times and links
     * that are set, and for a rebuild in progress {@code replayed} and {@code total} records and
     * its consumer {@code group}.
     */
    public Map<String, Object> describe(String model) throws IOException {
        String alias = ctx.wiring().indices().alias(model);
        String current = ctx.admin().writeIndex(alias).orElse(null);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("alias", alias);
        out.put("current", current);
        List<Map<String, Object>> indices = new ArrayList<>();
        Map<TopicPartition, Long> end = null;
        for (IndexAdmin.IndexInfo i : ctx.admin().indices(alias)) {
            Map<String, Object> m = i.meta();
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("name", i.name());
            index.put("state", i.name().equals(current) && m.get("state") == null ? "live" : i.state());
            index.put("docs", i.docs());
            index.put("current", i.name().equals(current));
            for (String key : List.of("createdAt", "swappedAt", "previous", "replacedBy", "error")) {
                if (m.get(key) != null) {
                    index.put(key, m.get(key));
                }
            }
            if (("building".equals(i.state()) || "verifying".equals(i.state())) && m.get("group") != null) {
                end = end == null ? ctx.offsets().latest() : end;
                index.put("replayed", TopicOffsets.sum(ctx.offsets().committed(m.get("group").toString())));
                index.put("total", TopicOffsets.sum(end));
                index.put("group", m.get("group"));
            }
            indices.add(index);
        }
        out.put("indices", indices);
        return out;
    }

    /**
     * Deletes the model's indices that are neither behind the alias nor its rollback target
     * (unless {@code all}), with their rebuild consumer groups. Do not run it during a rebuild.
     */
    public int cleanup(String model, boolean all, boolean force) throws IOException {
        String alias = ctx.wiring().indices().alias(model);
        String current = ctx.admin().writeIndex(alias).orElse(null);
        Set<String> keep = new HashSet<>();
        if (current != null) {
            keep.add(current);
            Object previous = ctx.admin().meta(current).get("previous");
            if (previous != null && !all) {
                keep.add(previous.toString());
            }
        }
        List<IndexAdmin.IndexInfo> indices = ctx.admin().indices(alias);
        // An index being built or verified belongs to a rebuild that may still be running: deleting
        // it would make that rebuild fail half-way. Only --force, for a rebuild that died, does.
        List<String> inProgress = indices.stream().filter(i -> !keep.contains(i.name()))
                .filter(i -> "building".equals(i.state()) || "verifying".equals(i.state()))
                .map(i -> i.name() + " (" + i.state() + ")").toList();
        if (!inProgress.isEmpty() && !force) {
            ctx.say("cleanup of %s refused: a rebuild may still be running on %s. Nothing was deleted. If no "
                    + "projector-cli rebuild is running (it died), run cleanup again with --force.", alias,
                    String.join(", ", inProgress));
            return 1;
        }
        int deleted = 0;
        for (IndexAdmin.IndexInfo i : indices) {
            if (keep.contains(i.name())) {
                continue;
            }
            ctx.admin().delete(i.name());
            if (i.meta().get("group") != null) {
                ctx.offsets().deleteGroup(i.meta().get("group").toString());
            }
            ctx.say("deleted %s (%s, %,d docs)", i.name(), i.state(), i.docs());
            deleted++;
        }
        ctx.say("cleanup of %s: %d deleted; kept %s", alias, deleted, keep);
        return 0;
    }

    private static void appendIf(StringBuilder line, String label, Object value) {
        if (value != null) {
            line.append("; ").append(label).append(' ').append(value);
        }
    }
}
