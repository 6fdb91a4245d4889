package dev.winch.bench;

import dev.winch.bench.BenchOptions.Server;
import dev.winch.common.event.Topics;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.gateway.GatewayConfig;
import dev.winch.gateway.GatewayService;
import dev.winch.gateway.auth.Tokens;
import dev.winch.testkit.EmbeddedKafkaBroker;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;

/**
 * Gateway throughput and latency against a real broker, next to the limit of this machine: one in-JVM KRaft
 * broker, the real gateway (GatewayService on a ServiceRuntime, as GatewayMain runs it) and a {@link BareServer},
 * loaded alternately (bare, gateway, bare, gateway...) by a {@link LoadGenerator} in a child JVM. After each phase
 * the topic is audited: every 2xx answer must be a stored record. Progress goes to stderr, the markdown report to
 * stdout. Exit status 3 when an acknowledged request is missing from its topic.
 */
public final class GatewayBenchmark {

    static final String BARE_TOPIC = "bench.bare";
    /** The gateway's producer client id: its service name. */
    private static final String GATEWAY_PRODUCER = "gateway";
    static final String RECEIVER = "bench-web";
    private static final int PARTITIONS = 3;

    private final BenchOptions options;
    private final Path work;
    private final PrintStream progress = System.err;
    private final CpuMeter cpu = new CpuMeter();

    private GatewayBenchmark(BenchOptions options, Path work) {
        this.options = options;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--from-start")) {
            FromStartBenchmark.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.fromArgs(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.print(BenchOptions.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        Path work = Files.createTempDirectory("winch-bench-");
        BenchLogging.configure(options.gatewayLog(), work.resolve("gateway.log"));
        int status = 1;
        try {
            status = new GatewayBenchmark(options, work).run();
        } catch (Exception e) {
            // Exit anyway: client and server threads that are not daemons would keep the JVM up.
            e.printStackTrace();
        } finally {
            if (options.gatewayLog() != BenchOptions.GatewayLog.FILE) {
                deleteRecursively(work);
            }
        }
        System.exit(status);
    }

    private int run() throws Exception {
        Report.Machine machine = Report.Machine.describe();
        progress.println("[bench] " + machine.summary());
        progress.println("[bench] starting the Kafka broker");
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
                TopicAudit audit = new TopicAudit(kafka.bootstrapServers())) {
            createTopics(kafka);
            String token = Tokens.generate();
            GatewayConfig gatewayConfig = gatewayConfig(kafka.bootstrapServers(), token);
            ServiceRuntime gatewayRuntime = ServiceRuntime.create(gatewayConfig.runtime());
            int gatewayPort = startGateway(gatewayRuntime, gatewayConfig);
            BareServer bare = BareServer.start(kafka.bootstrapServers(), BARE_TOPIC, options.bareProducer()).await(30, TimeUnit.SECONDS);
            progress.println("[bench] gateway on port " + gatewayPort + ", bare server on port " + bare.port());

            List<Phase> phases = new ArrayList<>();
            try {
                for (int round = 1; round <= options.rounds(); round++) {
                    for (Server server : options.servers()) {
                        int port = server == Server.GATEWAY ? gatewayPort : bare.port();
                        String path = server == Server.GATEWAY ? "/hooks/" + RECEIVER + "?token=" + token
                                : "/ingest?key=" + LoadGenerator.Settings.REPO;
                        phases.add(runPhase(round, server, port, path, audit));
                    }
                }
            } finally {
                bare.close(30);
                closeGateway(gatewayRuntime);
            }
            Report report = new Report(options, machine, phases);
            System.out.print(report.markdown());
            System.out.flush();
            if (options.gatewayLog() == BenchOptions.GatewayLog.FILE) {
                progress.println("[bench] gateway log kept in " + work.resolve("gateway.log"));
            }
            return report.anyLost() ? 3 : 0;
        }
    }

    /** Shutdown problems of the gateway are reported, not fatal: the figures are already taken. */
    private void closeGateway(ServiceRuntime runtime) {
        try {
            runtime.close().await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            progress.println("[bench] the gateway did not close cleanly: " + e);
        }
    }

    /** The topics the gateway reads and writes, as the local stack creates them, plus the bare server's. */
    private static void createTopics(EmbeddedKafkaBroker kafka) {
        kafka.createTopic(Topics.RECEIVERS, 1);
        for (String topic : Topics.EVENT_TOPICS) {
            kafka.createTopic(topic, PARTITIONS);
        }
        kafka.createTopic(BARE_TOPIC, PARTITIONS);
    }

    private GatewayConfig gatewayConfig(String bootstrap, String token) throws IOException {
        Path receivers = work.resolve("receivers.yaml");
        // The seed 001 hook: a Docker Hub push redeploys one container; the token is checked on every request.
        Files.writeString(receivers, """
                receivers:
                  - id: %s
                    name: Benchmark receiver
                    kind: redeploy
                    token: %s
                    redeploy: {namespace: bench, workload: deployment/web, container: web}
                """.formatted(RECEIVER, token));
        // The default 50/s per receiver would turn the benchmark into a test of the rate limiter.
        return GatewayConfig.fromEnv(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "WINCH_HTTP_PORT", "0",
                "WINCH_MANAGEMENT_PORT", "0",
                "WINCH_RECEIVERS_FILE", receivers.toString(),
                "WINCH_RATE_LIMIT_PER_SECOND", "1000000",
                "WINCH_RATE_LIMIT_BURST", "1000000"));
    }

    /** As ServiceMain does: management server, then the service, then marked started. */
    private static int startGateway(ServiceRuntime runtime, GatewayConfig config) throws Exception {
        runtime.startManagement("127.0.0.1").await(30, TimeUnit.SECONDS);
        int port = new GatewayService(runtime, config).start().await(60, TimeUnit.SECONDS);
        runtime.markStarted();
        return port;
    }

    private Phase runPhase(int round, Server server, int port, String path, TopicAudit audit) throws Exception {
        String topic = server == Server.GATEWAY ? Topics.IMAGE_PUSHED : BARE_TOPIC;
        Path ids = server == Server.GATEWAY && options.verifyIds() ? work.resolve("ids-" + round + ".bin") : null;
        Map<TopicPartition, Long> before = audit.endOffsets(topic);
        LoadGenerator.Settings settings = new LoadGenerator.Settings("127.0.0.1", port, path, options.connections(),
                options.clientThreads(), options.warmupSeconds(), options.durationSeconds(), options.bodyBytes(), ids);
        progress.printf("[bench] round %d, %s: %d s warm-up, %d s measured, %d connections%n", round, server.label(),
                options.warmupSeconds(), options.durationSeconds(), options.connections());

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options.clientJvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadGenerator.class.getName()));
        command.addAll(settings.toArgs());
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();

        String producer = server == Server.GATEWAY ? GATEWAY_PRODUCER : BareServer.PRODUCER_CLIENT_ID;
        CpuMeter.Snapshot start = null;
        CpuMeter.Snapshot end = null;
        ProducerStats producedStart = null;
        ProducerStats producedEnd = null;
        JsonObject load = null;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals("WINDOW_START")) {
                    start = cpu.snapshot();
                    producedStart = ProducerStats.read(producer);
                } else if (line.equals("WINDOW_END")) {
                    end = cpu.snapshot();
                    producedEnd = ProducerStats.read(producer);
                } else if (line.startsWith("RESULT ")) {
                    load = new JsonObject(line.substring("RESULT ".length()));
                } else {
                    progress.println("[load] " + line);
                }
            }
        }
        long limit = options.warmupSeconds() + options.durationSeconds() + 120L;
        if (!child.waitFor(limit, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException("the load generator did not finish within " + limit + " s");
        }
        if (child.exitValue() != 0 || load == null || start == null || end == null) {
            throw new IllegalStateException("the load generator failed (exit " + child.exitValue() + ")");
        }

        Map<TopicPartition, Long> after = audit.endOffsets(topic);
        long stored = TopicAudit.written(before, after);
        TopicAudit.ReadBack readBack = null;
        if (ids != null) {
            progress.println("[bench] reading " + stored + " records back from " + topic);
            readBack = audit.readBack(before, after, ids);
            Files.deleteIfExists(ids);
        }
        Phase phase = new Phase(round, server, load, stored, readBack, CpuMeter.between(start, end),
                ProducerStats.recordsPerRequest(producedStart, producedEnd));
        progress.printf("[bench] round %d, %s: %.0f accepted req/s, p50 %.2f ms, p99 %.2f ms; 2xx %d, stored %d%n",
                round, server.label(), phase.acceptedPerSecond(), phase.latencyMillis("0.5"),
                phase.latencyMillis("0.99"), phase.total2xx(), stored);
        if (!load.getJsonObject("errors").isEmpty()) {
            progress.println("[bench] client errors: " + load.getJsonObject("errors").encode());
        }
        return phase;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
