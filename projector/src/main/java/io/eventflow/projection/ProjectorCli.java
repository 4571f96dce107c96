package io.eventflow.projection;

import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.projection.live.Lane;
import java.util.ArrayList;
import java.util.List;

import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.ServiceConfigLoader;
import io.eventflow.projection.live.ProjectionWiring;
import io.eventflow.projection.rebuild.Rebuild;
import io.eventflow.projection.rebuild.RebuildContext;
import io.eventflow.projection.rebuild.RebuildStatus;
import io.eventflow.projection.rebuild.Rollback;
import io.eventflow.projection.rebuild.TopicOffsets;
import io.eventflow.projection.sink.IndexAdmin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * The projector's operations tool: {@code rebuild}, {@code status}, {@code rollback} and
 * {@code cleanup} of the event-store index ({@code events}, fed by every aggregate type's events
 * topic) and of each aggregate type's read model ({@code payments}, ...; fed by its type's topic). It reads the projector's configuration (a properties file given with
 * {@code --config}, environment variables, {@code -D key=value}), so it sees the same topic,
 * indices and live consumer group as the projector. Run it while the live projector runs:
 * {@code java -cp projector.jar io.eventflow.projection.ProjectorCli rebuild payments}.
 *
 * <p>Exit status: 0 done, 1 the operation failed (the output says why and what state it left),
 * 2 a usage error.
 */
@Command(name = "projector-cli", mixinStandardHelpOptions = true, version = "eventflow projector-cli 0.1",
        description = "Rebuilds, inspects and rolls back the projector's Elasticsearch indices.",
        subcommandsRepeatable = false)
public final class ProjectorCli {
    @Option(names = {"-c", "--config"}, scope = CommandLine.ScopeType.INHERIT, description = "Projector properties file; environment variables override it.")
    private Path configFile;

    @Option(names = "-D", scope = CommandLine.ScopeType.INHERIT, paramLabel = "KEY=VALUE", description = "Sets a projector config key, e.g. -D rebuild.max.lag=500.")
    private Map<String, String> properties = new HashMap<>();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private final Map<String, ?> base;
    private final Map<String, String> env;
    private final PrintWriter out;

    private ProjectorCli(Map<String, ?> base, Map<String, String> env, PrintWriter out) {
        this.base = Objects.requireNonNull(base, "base");
        this.env = Objects.requireNonNull(env, "env");
        this.out = Objects.requireNonNull(out, "out");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(execute(Map.of(), System.getenv(), out, err, args));
    }

    /**
     * Runs one command.
     *
     * @param config configuration under the file, the environment and {@code -D} (may be empty, not null)
     * @param out where progress and results go; {@code err} gets usage errors and failures
     * @return the exit status
     */
    public static int execute(Map<String, ?> config, Map<String, String> env, PrintWriter out, PrintWriter err,
            String... args) {
        CommandLine cli = new CommandLine(new ProjectorCli(config, env, out));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            err.println("error: " + (e instanceof ConfigException ? "bad configuration: " : "") + e.getMessage());
            err.flush();
            return 1;
        });
        return cli.execute(args);
    }

    @Command(name = "rebuild", description = {
            "Replays the events topic from the beginning into a new versioned index (e.g. payments-v3), verifies it "
                    + "against the live index as of the same offsets, swaps the alias in one _aliases call and "
                    + "catches up. The old index is kept for rollback. The new index gets the model's configured "
                    + "shards, replicas and refresh interval (elasticsearch.index.<model>.*), so a rebuild is how an "
                    + "index changes its shard count."})
    int rebuild(@Parameters(paramLabel = "MODEL", description = "events or a read model (payments, ...)") String model,
            @Option(names = "--max-lag", description = "Swap once within this many records of the end "
                    + "(default: rebuild.max.lag).") Long maxLag,
            @Option(names = "--progress-interval-ms", defaultValue = "2000",
                    description = "How often progress is printed.") long progressMillis,
            @Option(names = "--allow-truncated", description = "Rebuild even when the topic no longer starts at "
                    + "offset 0 (retention or deleteRecords removed its first events): the new index then lacks "
                    + "them, and verification against the live index may fail.") boolean allowTruncated,
            @Option(names = "--shards", description = "number_of_shards of the new index (default: "
                    + "elasticsearch.index.<model>.shards); set that key in the projector's configuration too, "
                    + "or its next start puts the template back.") Integer shards)
            throws IOException {
        if (maxLag != null) {
            properties.put(ProjectorConfig.REBUILD_MAX_LAG, maxLag.toString());
        }
        if (shards != null) {
            properties.put(ProjectorConfig.indexShardsKey(model), shards.toString());
        }
        return withContext(model, Duration.ofMillis(progressMillis), true,
                ctx -> new Rebuild(ctx, allowTruncated).run(model));
    }

    @Command(name = "status", description = "Shows the alias, every index of the model with its state and document "
            + "count, and the progress of a rebuild.")
    int status(@Parameters(paramLabel = "MODEL", arity = "0..1", description = "events or a read model "
            + "(default: all)") String model,
            @Option(names = "--json", description = "One JSON document, {\"models\": [...]}, for scripts and "
                    + "monitoring.") boolean json) throws IOException {
        List<String> models = new ArrayList<>();
        if (model != null) {
            models.add(model);
        } else {
            models.add(EventStoreIndices.EVENTS);
            config().lanes().forEach(l -> models.add(l.readModel()));
        }
        if (json) {
            List<Object> described = new ArrayList<>();
            for (String m : models) {
                withContext(m, Duration.ofSeconds(2), false, ctx -> {
                    described.add(new RebuildStatus(ctx).describe(m));
                    return 0;
                });
            }
            out.println(ElasticsearchClients.objectMapper().writeValueAsString(Map.of("models", described)));
            out.flush();
            return 0;
        }
        int status = 0;
        for (String m : models) {
            status = Math.max(status, withContext(m, Duration.ofSeconds(2), false, ctx -> new RebuildStatus(ctx).status(m)));
        }
        return status;
    }

    @Command(name = "rollback", description = "Points the alias back to the index the last rebuild replaced and "
            + "catches it up with the events written since.")
    int rollback(@Parameters(paramLabel = "MODEL", description = "events or a read model") String model)
            throws IOException {
        return withContext(model, Duration.ofSeconds(2), true, ctx -> new Rollback(ctx).run(model));
    }

    @Command(name = "cleanup", description = "Deletes the model's indices that are not behind the alias, except the "
            + "rollback target. Refuses (exit 1, nothing deleted) while an index is still being built or verified.")
    int cleanup(@Parameters(paramLabel = "MODEL", description = "events or a read model") String model,
            @Option(names = "--all", description = "Delete the rollback target too.") boolean all,
            @Option(names = "--force", description = "Delete indices of a rebuild that died while building or "
                    + "verifying too.") boolean force) throws IOException {
        return withContext(model, Duration.ofSeconds(2), false, ctx -> new RebuildStatus(ctx).cleanup(model, all, force));
    }

    private interface Action {
        int run(RebuildContext ctx) throws IOException;
    }

    private ProjectorConfig config() throws IOException {
        Map<String, Object> values = new HashMap<>(base);
        values.putAll(ServiceConfigLoader.load(ProjectorConfig.configDef(),
                configFile == null ? new String[0] : new String[] {configFile.toString()}, env));
        values.putAll(properties);
        return new ProjectorConfig(values);
    }

    /**
     * @param model {@code events} (every running type's topic) or a running type's read model (its topic)
     * @param replays true for the commands that replay events topics (rebuild, rollback): they
     *     refuse a topic that does not keep every event, as the projector does
     */
    private int withContext(String model, Duration progressInterval, boolean replays, Action action)
            throws IOException {
        ProjectorConfig config = config();
        List<String> topics;
        if (EventStoreIndices.EVENTS.equals(model)) {
            topics = config.lanes().stream().map(Lane::eventsTopic).toList();
        } else {
            topics = config.lanes().stream().filter(l -> l.readModel().equals(model)).map(Lane::eventsTopic).toList();
            if (topics.isEmpty()) {
                List<String> models = new ArrayList<>();
                models.add(EventStoreIndices.EVENTS);
                config.lanes().forEach(l -> models.add(l.readModel()));
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown model '" + model
                        + "': expected one of " + String.join(", ", models));
            }
        }
        var tunables = RebuildContext.Tunables.of(config, progressInterval);
        try (ProjectionWiring wiring = new ProjectionWiring(config, new SimpleMeterRegistry());
                TopicOffsets offsets = new TopicOffsets(config.adminProperties(), topics)) {
            if (replays) {
                wiring.checkEventsTopics();
            }
            var admin = new IndexAdmin(ElasticsearchClients.restClient(wiring.elasticsearch()));
            return action.run(new RebuildContext(wiring, admin, offsets, out, Clock.systemUTC(), tunables));
        }
    }
}
