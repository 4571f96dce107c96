package io.eventflow.projection;

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
 * {@code cleanup} of the event-store index ({@code events}) and the payments read model
 * ({@code payments}). It reads the projector's configuration (a properties file given with
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
    /** The models a command acts on. */
    enum Model {
        events, payments
    }

    @Option(names = {"-c", "--config"}, scope = CommandLine.ScopeType.INHERIT, description = "Projector properties file; environment variables override it.")
    private Path configFile;

    @Option(names = "-D", scope = CommandLine.ScopeType.INHERIT, paramLabel = "KEY=VALUE", description = "Sets a projector config key, e.g. -D rebuild.max.lag=500.")
    private Map<String, String> properties = new HashMap<>();

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
                    + "catches up. The old index is kept for rollback."})
    int rebuild(@Parameters(paramLabel = "MODEL", description = "events or payments") Model model,
            @Option(names = "--max-lag", description = "Swap once within this many records of the end "
                    + "(default: rebuild.max.lag).") Long maxLag,
            @Option(names = "--progress-interval-ms", defaultValue = "2000",
                    description = "How often progress is printed.") long progressMillis,
            @Option(names = "--allow-truncated", description = "Rebuild even when the topic no longer starts at "
                    + "offset 0 (retention or deleteRecords removed its first events): the new index then lacks "
                    + "them, and verification against the live index may fail.") boolean allowTruncated)
            throws IOException {
        if (maxLag != null) {
            properties.put(ProjectorConfig.REBUILD_MAX_LAG, maxLag.toString());
        }
        return withContext(Duration.ofMillis(progressMillis), true,
                ctx -> new Rebuild(ctx, allowTruncated).run(model.name()));
    }

    @Command(name = "status", description = "Shows the alias, every index of the model with its state and document "
            + "count, and the progress of a rebuild.")
    int status(@Parameters(paramLabel = "MODEL", arity = "0..1", description = "events or payments (default: both)")
            Model model) throws IOException {
        return withContext(Duration.ofSeconds(2), false, ctx -> {
            if (model != null) {
                return new RebuildStatus(ctx).status(model.name());
            }
            new RebuildStatus(ctx).status(Model.events.name());
            return new RebuildStatus(ctx).status(Model.payments.name());
        });
    }

    @Command(name = "rollback", description = "Points the alias back to the index the last rebuild replaced and "
            + "catches it up with the events written since.")
    int rollback(@Parameters(paramLabel = "MODEL", description = "events or payments") Model model) throws IOException {
        return withContext(Duration.ofSeconds(2), true, ctx -> new Rollback(ctx).run(model.name()));
    }

    @Command(name = "cleanup", description = "Deletes the model's indices that are not behind the alias, except the "
            + "rollback target. Do not run it while a rebuild runs.")
    int cleanup(@Parameters(paramLabel = "MODEL", description = "events or payments") Model model,
            @Option(names = "--all", description = "Delete the rollback target too.") boolean all) throws IOException {
        return withContext(Duration.ofSeconds(2), false, ctx -> new RebuildStatus(ctx).cleanup(model.name(), all));
    }

    private interface Action {
        int run(RebuildContext ctx) throws IOException;
    }

    /**
     * @param replays true for the commands that replay the events topic (rebuild, rollback): they
     *     refuse a topic that does not keep every event, as the projector does
     */
    private int withContext(Duration progressInterval, boolean replays, Action action) throws IOException {
        Map<String, Object> values = new HashMap<>(base);
        values.putAll(ServiceConfigLoader.load(ProjectorConfig.configDef(),
                configFile == null ? new String[0] : new String[] {configFile.toString()}, env));
        values.putAll(properties);
        ProjectorConfig config = new ProjectorConfig(values);
        var tunables = RebuildContext.Tunables.of(config, progressInterval);
        try (ProjectionWiring wiring = new ProjectionWiring(config, new SimpleMeterRegistry());
                TopicOffsets offsets = new TopicOffsets(config.adminProperties(), wiring.eventsTopic())) {
            if (replays) {
                wiring.checkEventsTopic();
            }
            var admin = new IndexAdmin(ElasticsearchClients.restClient(wiring.elasticsearch()));
            return action.run(new RebuildContext(wiring, admin, offsets, out, Clock.systemUTC(), tunables));
        }
    }
}
