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
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;

/**
 * Gateway throughput and latency against a real broker, next to the limit of this machine and next to
 * adnanh/webhook: one in-JVM KRaft broker; the real gateway (by default its jar in a process of its own, as
 * docker-compose runs it, its log on stdout redirected to a file), a {@link BareServer} and adnanh/webhook, loaded
 * alternately (bare, gateway, webhook, bare...) by a {@link LoadGenerator} in a child JVM, for each key spread.
 * After each phase the topic is audited: every 2xx answer must be a stored record. Progress goes to stderr, the
 * markdown report to stdout. Exit status 3 when an acknowledged request is missing from its topic.
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
        // A gateway process logs on its own; this JVM then only reports warnings (the broker's among them).
        BenchLogging.configure(options.deploy() == BenchOptions.Deploy.PROCESS ? BenchOptions.GatewayLog.OFF
                : options.gatewayLog(), work.resolve("gateway.log"));
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
        List<Server> servers = new ArrayList<>(options.servers());
        String skipped = null;
        if (servers.contains(Server.WEBHOOK) && !Files.isExecutable(options.webhookBinary())) {
            skipped = "adnanh/webhook is not installed (no executable " + options.webhookBinary() + "; Debian package "
                    + "`webhook`, or --webhook-bin PATH): the comparison with it is skipped";
            progress.println("[bench] " + skipped);
            servers.remove(Server.WEBHOOK);
        }
        if (servers.isEmpty()) {
            throw new IllegalStateException("no server left to measure");
        }
        if (options.deploy() == BenchOptions.Deploy.PROCESS && servers.contains(Server.GATEWAY)
                && !Files.isRegularFile(options.gatewayJar())) {
            throw new IllegalStateException("no gateway jar at " + options.gatewayJar().toAbsolutePath()
                    + ": build it (mvn -pl bench -am -DskipTests package) or pass --gateway-jar");
        }
        progress.println("[bench] starting the Kafka broker");
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
                TopicAudit audit = new TopicAudit(kafka.bootstrapServers())) {
            createTopics(kafka);
            String token = Tokens.generate();
            Map<Server, Target> targets = new EnumMap<>(Server.class);
            List<Phase> phases = new ArrayList<>();
            long gatewayLogBytes = -1;
            try {
                for (Server server : servers) {
                    Target target = start(server, kafka.bootstrapServers(), token);
                    targets.put(server, target);
                    progress.println("[bench] " + server.label() + " on port " + target.port()
                            + (target.child() != null ? " (process " + target.child().pid() + ")" : " (in this JVM)"));
                }
                if (options.serverWarmupSeconds() > 0) {
                    // Each server process is new: the JIT compiles its request path under load for tens of seconds
                    // (docs/benchmarks.md, "Throughput from start"). Rounds compare warm servers; the ramp is
                    // --from-start's measurement.
                    for (Server server : servers) {
                        runPhase(0, server, options.keySpreads().get(0), targets.get(server), audit,
                                options.serverWarmupSeconds());
                    }
                }
                for (int round = 1; round <= options.rounds(); round++) {
                    for (BenchOptions.KeySpread spread : options.keySpreads()) {
                        for (Server server : servers) {
                            phases.add(runPhase(round, server, spread, targets.get(server), audit,
                                    options.warmupSeconds()));
                        }
                    }
                }
            } finally {
                for (Target target : targets.values()) {
                    target.close().run();
                }
                Target gateway = targets.get(Server.GATEWAY);
                if (gateway != null && gateway.child() != null && Files.exists(gateway.child().output())) {
                    gatewayLogBytes = Files.size(gateway.child().output());
                }
            }
            Report report = new Report(options, machine, phases, skipped, gatewayLogBytes);
            System.out.print(report.markdown());
            System.out.flush();
            if (options.gatewayLog() == BenchOptions.GatewayLog.FILE) {
                progress.println("[bench] gateway log kept in " + work.resolve("gateway.log"));
            }
            return report.anyLost() ? 3 : 0;
        }
    }

    /**
     * A server under load: where to send the pushes ({@code {repo}} in the path stands for the pushed repository),
     * the topic it writes (null: none), its producer's client id when it is in this JVM (else null), its process
     * (null: in this JVM), and how to stop it.
     */
    private record Target(int port, String path, String topic, String producerClientId, ChildServer child,
            Runnable close) {
    }

    private Target start(Server server, String bootstrap, String token) throws Exception {
        boolean processes = options.deploy() == BenchOptions.Deploy.PROCESS;
        String hookPath = "/hooks/" + RECEIVER + "?token=" + token;
        switch (server) {
            case GATEWAY -> {
                if (processes) {
                    ChildServer child = startGatewayProcess(bootstrap, token);
                    return new Target(child.port(), hookPath, Topics.IMAGE_PUSHED, null, child,
                            () -> child.close(progress));
                }
                GatewayConfig gatewayConfig = gatewayConfig(bootstrap, token);
                ServiceRuntime gatewayRuntime = ServiceRuntime.create(gatewayConfig.runtime());
                int port = startGateway(gatewayRuntime, gatewayConfig);
                return new Target(port, hookPath, Topics.IMAGE_PUSHED, GATEWAY_PRODUCER, null,
                        () -> closeGateway(gatewayRuntime));
            }
            case BARE -> {
                String path = "/ingest?key=" + LoadGenerator.Settings.REPO;
                if (processes) {
                    int port = ChildServer.freePort();
                    List<String> command = new ArrayList<>();
                    command.add(javaBinary());
                    command.addAll(options.serverJvmOptions());
                    command.addAll(List.of("-cp", System.getProperty("java.class.path"), BareServer.class.getName(),
                            "--bootstrap", bootstrap, "--topic", BARE_TOPIC, "--producer",
                            options.bareProducer().name().toLowerCase(Locale.ROOT), "--port", String.valueOf(port),
                            "--instances", String.valueOf(options.instances())));
                    ChildServer child = ChildServer.start("the bare server", command, Map.of(), port,
                            work.resolve("bare.log")).awaitListening();
                    return new Target(port, path, BARE_TOPIC, null, child, () -> child.close(progress));
                }
                BareServer bare = BareServer.start(bootstrap, BARE_TOPIC, options.bareProducer(), options.instances())
                        .await(30, TimeUnit.SECONDS);
                return new Target(bare.port(), path, BARE_TOPIC, BareServer.PRODUCER_CLIENT_ID, null, () -> {
                    try {
                        bare.close(30);
                    } catch (Exception e) {
                        progress.println("[bench] the bare server did not close cleanly: " + e);
                    }
                });
            }
            case WEBHOOK -> {
                ChildServer child = startWebhook(token);
                return new Target(child.port(), hookPath, null, null, child, () -> child.close(progress));
            }
            default -> throw new IllegalArgumentException(server.toString());
        }
    }

    /**
     * The gateway as docker-compose runs it: {@code java <entry point options> -jar gateway.jar} with its
     * environment (plain log on stdout, 8 worker threads), stdout redirected to a file; ready when its management
     * port says so.
     */
    private ChildServer startGatewayProcess(String bootstrap, String token) throws Exception {
        int port = ChildServer.freePort();
        int management = ChildServer.freePort();
        Map<String, String> env = new HashMap<>(gatewayEnvironment(bootstrap, writeReceivers(token)));
        env.put("WINCH_HTTP_PORT", String.valueOf(port));
        env.put("WINCH_MANAGEMENT_PORT", String.valueOf(management));
        env.put("WINCH_HTTP_HOST", "127.0.0.1");
        env.put("WINCH_MANAGEMENT_HOST", "127.0.0.1");
        env.put("WINCH_LOG_FORMAT", "plain");
        env.put("WINCH_WORKER_POOL_SIZE", "8");
        env.put("WINCH_GATEWAY_INSTANCES", String.valueOf(options.instances()));
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(options.serverJvmOptions());
        if (options.gatewayLog() == BenchOptions.GatewayLog.OFF) {
            Path quiet = work.resolve("logback-warn.xml");
            Files.writeString(quiet, """
                    <configuration>
                      <appender name="stdout" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30} %kvp - %msg%n</pattern></encoder>
                      </appender>
                      <root level="WARN"><appender-ref ref="stdout"/></root>
                    </configuration>
                    """);
            command.add("-Dlogback.configurationFile=" + quiet);
        }
        command.addAll(List.of("-jar", options.gatewayJar().toAbsolutePath().toString()));
        return ChildServer.start("the gateway", command, env, port, work.resolve("gateway-stdout.log"))
                .awaitReady(URI.create("http://127.0.0.1:" + management + "/health/ready"));
    }

    /**
     * adnanh/webhook with one hook at the gateway's path: its rule matches the token in the URL and the pushed
     * repository's namespace in the body, and runs {@code /bin/true}. Started as the Debian package's service
     * starts it (no {@code -verbose}: no line per request), output to a file.
     */
    private ChildServer startWebhook(String token) throws Exception {
        Path hooks = work.resolve("hooks.json");
        Files.writeString(hooks, """
                [
                  {
                    "id": "%s",
                    "execute-command": "/bin/true",
                    "trigger-rule": {
                      "and": [
                        {"match": {"type": "value", "value": "%s", "parameter": {"source": "url", "name": "token"}}},
                        {"match": {"type": "value", "value": "hongxiaolu",
                                   "parameter": {"source": "payload", "name": "repository.namespace"}}}
                      ]
                    }
                  }
                ]
                """.formatted(RECEIVER, token));
        int port = ChildServer.freePort();
        return ChildServer.start("adnanh/webhook", List.of(options.webhookBinary().toString(), "-hooks",
                hooks.toString(), "-ip", "127.0.0.1", "-port", String.valueOf(port), "-nopanic"), Map.of(), port,
                work.resolve("webhook.log")).awaitListening();
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
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

    private Path writeReceivers(String token) throws IOException {
        return writeReceivers(work, token);
    }

    /** The benchmark's receivers file in {@code dir}: one receiver, {@value #RECEIVER}, with {@code token}. */
    static Path writeReceivers(Path dir, String token) throws IOException {
        Path receivers = dir.resolve("receivers.yaml");
        // The seed 001 hook: a Docker Hub push redeploys one container; the token is checked on every request.
        Files.writeString(receivers, """
                receivers:
                  - id: %s
                    name: Benchmark receiver
                    kind: redeploy
                    token: %s
                    redeploy: {namespace: bench, workload: deployment/web, container: web}
                """.formatted(RECEIVER, token));
        return receivers;
    }

    private static Map<String, String> gatewayEnvironment(String bootstrap, Path receivers) {
        // The default 50/s per receiver would turn the benchmark into a test of the rate limiter.
        return Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "WINCH_HTTP_PORT", "0",
                "WINCH_MANAGEMENT_PORT", "0",
                "WINCH_RECEIVERS_FILE", receivers.toString(),
                "WINCH_RATE_LIMIT_PER_SECOND", "1000000",
                "WINCH_RATE_LIMIT_BURST", "1000000");
    }

    private GatewayConfig gatewayConfig(String bootstrap, String token) throws IOException {
        Map<String, String> env = new HashMap<>(gatewayEnvironment(bootstrap, writeReceivers(token)));
        env.put("WINCH_GATEWAY_INSTANCES", String.valueOf(options.instances()));
        return GatewayConfig.fromEnv(env);
    }

    /** As ServiceMain does: management server, then the service, then marked started. */
    private static int startGateway(ServiceRuntime runtime, GatewayConfig config) throws Exception {
        runtime.startManagement("127.0.0.1").await(30, TimeUnit.SECONDS);
        int port = new GatewayService(runtime, config).start().await(60, TimeUnit.SECONDS);
        runtime.markStarted();
        return port;
    }

    /** One phase; round 0 is a server's warm-up, {@code warmupSeconds} of load and a short window not reported. */
    private Phase runPhase(int round, Server server, BenchOptions.KeySpread spread, Target target, TopicAudit audit,
            int warmupSeconds) throws Exception {
        int durationSeconds = round == 0 ? 1 : options.durationSeconds();
        String topic = target.topic();
        Path ids = server == Server.GATEWAY && options.verifyIds() ? work.resolve("ids-" + round + ".bin") : null;
        Map<TopicPartition, Long> before = topic == null ? Map.of() : audit.endOffsets(topic);
        LoadGenerator.Settings settings = new LoadGenerator.Settings("127.0.0.1", target.port(), target.path(),
                options.connections(), options.clientThreads(), warmupSeconds, durationSeconds,
                options.bodyBytes(), spread, ids).paced(options.rate());
        // The previous phase's server may still be busy (adnanh/webhook's children, a collector): start on a quiet
        // machine, or say that it was not.
        double busy = CpuMeter.settle(0.3, 30, Runtime.getRuntime().availableProcessors());
        progress.printf(java.util.Locale.ROOT, "[bench] machine busy %.2f cores before the phase%n", busy);
        progress.printf("[bench] round %d, %s, %s: %d s warm-up, %d s measured, %d connections%n", round,
                spread.description(), server.label(), warmupSeconds, durationSeconds, options.connections());

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options.clientJvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadGenerator.class.getName()));
        command.addAll(settings.toArgs());
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();

        String producer = target.producerClientId();
        long pid = target.child() == null ? -1 : target.child().pid();
        CpuMeter.Snapshot start = null;
        CpuMeter.Snapshot end = null;
        ProcessCpu.Snapshot serverStart = null;
        ProcessCpu.Snapshot serverEnd = null;
        ProducerStats producedStart = null;
        ProducerStats producedEnd = null;
        JsonObject load = null;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals("WINDOW_START")) {
                    start = cpu.snapshot();
                    serverStart = pid < 0 ? null : ProcessCpu.snapshot(pid);
                    producedStart = producer == null ? null : ProducerStats.read(producer);
                } else if (line.equals("WINDOW_END")) {
                    end = cpu.snapshot();
                    serverEnd = pid < 0 ? null : ProcessCpu.snapshot(pid);
                    producedEnd = producer == null ? null : ProducerStats.read(producer);
                } else if (line.startsWith("RESULT ")) {
                    load = new JsonObject(line.substring("RESULT ".length()));
                } else {
                    progress.println("[load] " + line);
                }
            }
        }
        long limit = warmupSeconds + durationSeconds + 120L;
        if (!child.waitFor(limit, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException("the load generator did not finish within " + limit + " s");
        }
        if (child.exitValue() != 0 || load == null || start == null || end == null) {
            throw new IllegalStateException("the load generator failed (exit " + child.exitValue() + ")");
        }

        Map<TopicPartition, Long> after = topic == null ? Map.of() : audit.endOffsets(topic);
        long stored = topic == null ? -1 : TopicAudit.written(before, after);
        TopicAudit.ReadBack readBack = null;
        if (ids != null) {
            progress.println("[bench] reading " + stored + " records back from " + topic);
            readBack = audit.readBack(before, after, ids);
            Files.deleteIfExists(ids);
        }
        Phase phase = new Phase(round, server, spread, load, stored, readBack, CpuMeter.between(start, end),
                serverStart == null ? null : ProcessCpu.between(serverStart, serverEnd),
                producer == null ? Double.NaN : ProducerStats.recordsPerRequest(producedStart, producedEnd));
        progress.printf("[bench] round %d, %s, %s: %.0f accepted req/s, p50 %.2f ms, p99 %.2f ms, server CPU %.0f "
                        + "µs/req; 2xx %d, stored %s%n", round, spread.label(), server.label(),
                phase.acceptedPerSecond(), phase.latencyMillis("0.5"), phase.latencyMillis("0.99"),
                phase.serverCpuMicrosPerRequest(), phase.total2xx(), stored < 0 ? "–" : String.valueOf(stored));
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
