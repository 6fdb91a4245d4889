package dev.winch.bench;

import dev.winch.common.event.Topics;
import dev.winch.gateway.auth.Tokens;
import dev.winch.testkit.EmbeddedKafkaBroker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * Gateway throughput from the moment it starts: {@code java -jar bench/target/winch-bench.jar --from-start [options]}.
 *
 * <p>Starts the in-JVM broker and the {@link LoadGenerator} in a child JVM, which first warms itself up against a
 * {@link BareServer} ({@code --client-prewarm}); then the gateway jar as a process of its own, as docker-compose
 * runs it ({@code java [jvm options] -jar gateway.jar}, configured by environment variables), and at that moment
 * the generator's load, whose connections retry until the gateway listens. The generator counts the
 * 2xx answers per second since the gateway process was started; the report shows each second of the first
 * {@code --seconds}, the warm rate (the mean of the {@code --warm-seconds} that follow) and how long the gateway took
 * to reach 90 % of it. Also when the gateway reported ready, and the machine's load average, since a figure taken on
 * a busy machine says little. Every 2xx must be a record on the topic (exit 3 otherwise).
 */
final class FromStartBenchmark {

    private static final String USAGE = """
            usage: java -jar bench/target/winch-bench.jar --from-start [options]
              --seconds S          seconds from start shown one by one (default 30)
              --warm-seconds S     seconds after those, averaged as the warm rate (default 15)
              --connections N      connections, one request in flight each (default 50)
              --client-threads N   event loops of the load generator (default 2)
              --body-bytes N       size of each Docker Hub payload (default 1024)
              --gateway-jar PATH   the gateway jar, its lib/ beside it (default gateway/target/gateway.jar)
              --gateway-jvm-opts S JVM options of the gateway (default "-XX:MaxRAMPercentage=75", as the image)
              --gateway-env LIST   extra environment of the gateway, K=V,K=V (e.g. WINCH_GATEWAY_WARMUP=0)
              --client-prewarm S   seconds the load generator runs against a bare server before the gateway
                                   starts, so its own JIT warm-up is not measured as the gateway's (default 15; 0: off)
              --label TEXT         a name for this run in the report
              --gateway-java PATH  the java that runs the gateway (default: the one running this benchmark)
            """;

    record Options(int seconds, int warmSeconds, int connections, int clientThreads, int bodyBytes, Path gatewayJar,
            List<String> gatewayJvmOptions, Map<String, String> gatewayEnv, String label, int clientPrewarm,
            String gatewayJava) {

        static Options fromArgs(String[] args) {
            Map<String, String> named = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--help") || args[i].equals("-h")) {
                    throw new IllegalArgumentException("");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                named.put(args[i], args[++i]);
            }
            List<String> known = List.of("--seconds", "--warm-seconds", "--connections", "--client-threads",
                    "--body-bytes", "--gateway-jar", "--gateway-jvm-opts", "--gateway-env", "--label",
                    "--client-prewarm", "--gateway-java");
            named.keySet().stream().filter(k -> !known.contains(k)).findFirst().ifPresent(k -> {
                throw new IllegalArgumentException("unknown option " + k);
            });
            Map<String, String> env = new LinkedHashMap<>();
            String rawEnv = named.getOrDefault("--gateway-env", "");
            for (String pair : rawEnv.isBlank() ? new String[0] : rawEnv.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--gateway-env takes K=V,K=V; got '" + pair + "'");
                }
                env.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
            String jvm = named.getOrDefault("--gateway-jvm-opts", "-XX:MaxRAMPercentage=75");
            Path jar = Path.of(named.getOrDefault("--gateway-jar", "gateway/target/gateway.jar"));
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no gateway jar at " + jar.toAbsolutePath()
                        + " (build it: mvn -o -pl bench -am package -DskipTests)");
            }
            return new Options(integer(named, "--seconds", 30, 10, 600), integer(named, "--warm-seconds", 15, 3, 600),
                    integer(named, "--connections", 50, 1, 10_000), integer(named, "--client-threads", 2, 1, 64),
                    integer(named, "--body-bytes", 1024, DockerHubPush.MIN_BYTES, 1024 * 1024), jar,
                    jvm.isBlank() ? List.of() : Arrays.asList(jvm.trim().split("\\s+")), Map.copyOf(env),
                    named.getOrDefault("--label", jvm + (env.isEmpty() ? "" : " " + rawEnv)),
                    integer(named, "--client-prewarm", 15, 0, 600),
                    named.getOrDefault("--gateway-java", Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString()));
        }

        private static int integer(Map<String, String> named, String name, int fallback, int min, int max) {
            String value = named.get(name);
            if (value == null) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value);
                if (parsed < min || parsed > max) {
                    throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
            }
        }
    }

    private final Options options;
    private final Path work;
    private final PrintStream progress = System.err;

    private FromStartBenchmark(Options options, Path work) {
        this.options = options;
        this.work = work;
    }

    static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.fromArgs(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.print(USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        Path work = Files.createTempDirectory("winch-bench-from-start-");
        BenchLogging.configure(BenchOptions.GatewayLog.OFF, null);
        int status = 1;
        try {
            status = new FromStartBenchmark(options, work).run();
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            GatewayBenchmark.deleteRecursively(work);
        }
        System.exit(status);
    }

    private int run() throws Exception {
        Report.Machine machine = Report.Machine.describe();
        progress.println("[from-start] " + machine.summary());
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
                TopicAudit audit = new TopicAudit(kafka.bootstrapServers())) {
            kafka.createTopic(Topics.RECEIVERS, 1);
            for (String topic : Topics.EVENT_TOPICS) {
                kafka.createTopic(topic, 3);
            }
            kafka.createTopic(GatewayBenchmark.BARE_TOPIC, 3);
            String token = Tokens.generate();
            int httpPort = freePort();
            int managementPort = freePort();
            Map<TopicPartition, Long> before = audit.endOffsets(Topics.IMAGE_PUSHED);

            BareServer bare = options.clientPrewarm() == 0 ? null : BareServer.start(kafka.bootstrapServers(),
                    GatewayBenchmark.BARE_TOPIC, BenchOptions.BareProducer.WINCH, 1).await(30, TimeUnit.SECONDS);
            Process load = startLoad(httpPort, token, bare == null ? 0 : bare.port());
            BufferedReader loadOut = new BufferedReader(new InputStreamReader(load.getInputStream(),
                    StandardCharsets.UTF_8));
            if (bare != null) {
                progress.println("[from-start] load generator warming up against the bare server for "
                        + options.clientPrewarm() + " s");
                awaitLine(loadOut, "PREWARMED");
                bare.close(30);
            }
            long origin = System.currentTimeMillis();
            Process gateway = startGateway(kafka.bootstrapServers(), token, httpPort, managementPort);
            if (bare != null) {
                load.getOutputStream().write(("GO " + origin + "\n").getBytes(StandardCharsets.UTF_8));
                load.getOutputStream().flush();
            }
            long readyMillis = -1;
            JsonObject result = null;
            try {
                readyMillis = awaitReady(managementPort, origin, gateway);
                result = readResult(load, loadOut);
            } finally {
                gateway.destroy();
                if (!gateway.waitFor(60, TimeUnit.SECONDS)) {
                    gateway.destroyForcibly();
                }
                load.destroyForcibly();
            }
            String loadAfter = Report.Machine.describe().loadAverage();
            long stored = TopicAudit.written(before, audit.endOffsets(Topics.IMAGE_PUSHED));
            long answered = result.getLong("total2xx");
            System.out.print(markdown(machine, loadAfter, readyMillis, result, stored));
            System.out.flush();
            return answered > stored ? 3 : 0;
        }
    }

    private Process startGateway(String bootstrap, String token, int httpPort, int managementPort)
            throws IOException {
        Path receivers = GatewayBenchmark.writeReceivers(work, token);
        List<String> command = new ArrayList<>();
        command.add(options.gatewayJava());
        command.addAll(options.gatewayJvmOptions());
        command.addAll(List.of("-jar", options.gatewayJar().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                // Its log lines (one per accepted event) are formatted and written, but to nowhere.
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(work.resolve("gateway.err").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("WINCH_") || name.startsWith("KAFKA_"));
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("WINCH_HTTP_PORT", String.valueOf(httpPort));
        env.put("WINCH_HTTP_HOST", "127.0.0.1");
        env.put("WINCH_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("WINCH_RECEIVERS_FILE", receivers.toString());
        // The default 50/s per receiver would turn the benchmark into a test of the rate limiter.
        env.put("WINCH_RATE_LIMIT_PER_SECOND", "1000000");
        env.put("WINCH_RATE_LIMIT_BURST", "1000000");
        env.putAll(options.gatewayEnv());
        progress.println("[from-start] starting " + String.join(" ", command) + " " + options.gatewayEnv());
        return builder.start();
    }

    /** Started before the gateway: with a pre-warm, it waits for "GO origin" on stdin; else it starts at once. */
    private Process startLoad(int port, String token, int prewarmPort) throws IOException {
        int total = options.seconds() + options.warmSeconds();
        LoadGenerator.Settings settings = new LoadGenerator.Settings("127.0.0.1", port,
                "/hooks/" + GatewayBenchmark.RECEIVER + "?token=" + token, options.connections(),
                options.clientThreads(), 0, total, options.bodyBytes(), BenchOptions.KeySpread.CONNECTION, null,
                System.currentTimeMillis(), prewarmPort, options.clientPrewarm(), 0);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xms512m", "-Xmx512m", "-XX:+UseSerialGC"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadGenerator.class.getName()));
        command.addAll(settings.toArgs());
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Milliseconds from the start of the process to its first 200 on /health/ready; -1 if it exited first. */
    private long awaitReady(int managementPort, long origin, Process gateway) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = origin + TimeUnit.SECONDS.toMillis(options.seconds());
        while (System.currentTimeMillis() < deadline && gateway.isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    long millis = System.currentTimeMillis() - origin;
                    progress.println("[from-start] ready after " + millis + " ms");
                    return millis;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(50);
        }
        if (!gateway.isAlive()) {
            String err;
            try {
                err = Files.readString(work.resolve("gateway.err"));
            } catch (IOException e) {
                err = e.toString();
            }
            throw new IllegalStateException("the gateway exited with " + gateway.exitValue() + ":\n" + err);
        }
        return -1;
    }

    private static void awaitLine(BufferedReader out, String expected) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.equals(expected)) {
                return;
            }
        }
        throw new IllegalStateException("the load generator ended before " + expected);
    }

    private JsonObject readResult(Process load, BufferedReader loadOut) throws Exception {
        JsonObject result = null;
        try (BufferedReader out = loadOut) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    result = new JsonObject(line.substring("RESULT ".length()));
                }
            }
        }
        if (!load.waitFor(120, TimeUnit.SECONDS) || load.exitValue() != 0 || result == null) {
            throw new IllegalStateException("the load generator failed");
        }
        return result;
    }

    private String markdown(Report.Machine machine, String loadAfter, long readyMillis, JsonObject result,
            long stored) {
        JsonArray perSecond = result.getJsonArray("perSecond2xx");
        long[] counts = new long[options.seconds() + options.warmSeconds()];
        for (int i = 0; i < counts.length && i < perSecond.size(); i++) {
            counts[i] = perSecond.getLong(i);
        }
        double warm = 0;
        for (int i = options.seconds(); i < counts.length; i++) {
            warm += counts[i];
        }
        warm /= options.warmSeconds();
        int fullSpeed = -1;
        for (int i = options.seconds() - 1; warm > 0 && i >= 0 && counts[i] >= 0.9 * warm; i--) {
            fullSpeed = i;
        }
        double firstTen = 0;
        for (int i = 0; i < Math.min(10, counts.length); i++) {
            firstTen += counts[i];
        }
        StringBuilder md = new StringBuilder();
        md.append("## Gateway throughput from start: ").append(options.label()).append("\n\n");
        md.append("- Machine: ").append(machine.summary()).append(" at the start; load average ").append(loadAfter)
                .append(" at the end\n");
        md.append("- Gateway: `java ").append(String.join(" ", options.gatewayJvmOptions())).append(" -jar ")
                .append(options.gatewayJar().getFileName()).append("`, extra environment ")
                .append(options.gatewayEnv()).append('\n');
        md.append("- Load: ").append(options.connections()).append(" connections, ").append(options.bodyBytes())
                .append("-byte Docker Hub pushes, started with the gateway process")
                .append(options.clientPrewarm() > 0 ? ", the client warmed up for " + options.clientPrewarm()
                        + " s against a bare server first" : ", the client as cold as the gateway").append('\n');
        md.append("- Ready (/health/ready 200) after: ")
                .append(readyMillis < 0 ? "not within the window" : String.format(Locale.ROOT, "%.1f s",
                        readyMillis / 1000.0)).append('\n');
        md.append(String.format(Locale.ROOT, "- Warm rate (mean of seconds %d-%d): %.0f req/s%n", options.seconds(),
                counts.length - 1, warm));
        md.append(String.format(Locale.ROOT, "- First 10 s: %.0f req/s on average (%.0f %% of warm)%n",
                firstTen / 10, warm == 0 ? 0 : 100 * firstTen / 10 / warm));
        md.append("- At >= 90 % of warm from second: ").append(fullSpeed < 0 ? "not within the first "
                + options.seconds() + " s" : String.valueOf(fullSpeed)).append(" (and every second after it)\n");
        md.append("- 2xx answers: ").append(result.getLong("total2xx")).append(", records stored: ").append(stored)
                .append(", statuses ").append(result.getJsonObject("statuses").encode()).append("\n\n");
        md.append("| second | 2xx/s | % of warm |\n|---:|---:|---:|\n");
        for (int i = 0; i < options.seconds(); i++) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %.0f |%n", i, counts[i],
                    warm == 0 ? 0 : 100 * counts[i] / warm));
        }
        return md.append('\n').toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
