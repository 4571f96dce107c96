package io.eventflow.projection.rebuild;

import io.eventflow.projection.sink.ElasticsearchProjection;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * Points a model's alias back to the index a rebuild replaced, then catches that index up: from
 * the live projector's offsets at the swap (recorded in the rebuilt index) to the end of the topic
 * after the rollback, since the live projector wrote to the rebuilt index meanwhile. The rebuilt
 * index is kept, marked rolled-back, until {@code cleanup}.
 */
public final class Rollback {
    private final RebuildContext ctx;

    public Rollback(RebuildContext ctx) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
    }

    public int run(String model) throws IOException {
        String alias = ctx.wiring().indices().alias(model);
        String current = ctx.admin().writeIndex(alias).orElse(null);
        if (current == null) {
            ctx.say("cannot roll back %s: the alias points to no index", alias);
            return 1;
        }
        Map<String, Object> meta = new LinkedHashMap<>(ctx.admin().meta(current));
        Object previous = meta.get("previous");
        if (previous == null) {
            ctx.say("nothing to roll back: %s points to %s, which no rebuild swapped in. Failed or unfinished "
                    + "rebuilds never touch the alias; 'status' lists them and 'cleanup' deletes them.", alias, current);
            return 1;
        }
        String back = previous.toString();
        if (ctx.admin().indices(alias).stream().noneMatch(i -> i.name().equals(back))) {
            ctx.say("cannot roll back %s: the previous index %s was deleted", alias, back);
            return 1;
        }
        Map<TopicPartition, Long> from = offsets(meta.get("liveOffsetsAtSwap"));
        ctx.admin().swap(alias, current, back);
        meta.put("state", "rolled-back");
        meta.put("rolledBackAt", Instant.now(ctx.clock()).toString());
        ctx.admin().putMeta(current, meta);
        Map<String, Object> backMeta = new LinkedHashMap<>(ctx.admin().meta(back));
        backMeta.put("state", "live");
        backMeta.remove("replacedBy");
        ctx.admin().putMeta(back, backMeta);
        ctx.say("rolled back alias %s: %s -> %s in one _aliases call; %s is kept until 'cleanup'", alias, current,
                back, current);

        Map<TopicPartition, Long> to = ctx.offsets().latest();
        String group = ctx.rollbackGroup(back);
        Replay replay = new Replay(ctx.wiring(), ctx.offsets(), ctx.out(), ctx.clock(), ctx.tunables().stallTimeout(),
                ctx.tunables().progressInterval(), back, from);
        try {
            replay.phase(from, to, group, ElasticsearchProjection.Targets.only(model, back, ctx.wiring().indices()));
        } catch (Replay.ReplayException e) {
            ctx.say("ROLLBACK INCOMPLETE: the alias %s points to %s again, but catching it up failed: %s. It may "
                    + "miss events written since the swap; once the cause is fixed, run 'rebuild' for a complete "
                    + "index.", alias, back, e.getMessage());
            return 1;
        } finally {
            ctx.offsets().deleteGroup(group);
        }
        ctx.say("caught %s up with the %,d records written since the swap", back, replay.recordsTo(to));
        return 0;
    }

    /** The recorded offsets; partitions not recorded start at 0, which replays more but misses nothing. */
    private Map<TopicPartition, Long> offsets(Object recorded) {
        Map<TopicPartition, Long> out = new HashMap<>();
        List<TopicPartition> partitions = ctx.offsets().partitions();
        Map<?, ?> byPartition = recorded instanceof Map<?, ?> m ? m : Map.of();
        for (TopicPartition tp : partitions) {
            // Records of one topic (and those written before several topics were) name the partition only.
            Object o = byPartition.get(RebuildContext.key(tp, false));
            if (o == null) {
                o = byPartition.get(RebuildContext.key(tp, true));
            }
            out.put(tp, o instanceof Number n ? n.longValue() : 0L);
        }
        return out;
    }
}
