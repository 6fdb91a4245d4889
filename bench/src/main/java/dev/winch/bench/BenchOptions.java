package dev.winch.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's command line, parsed once.
 *
 * @param connections   HTTP connections of the load generator, each with one request in flight (closed loop)
 * @param warmupSeconds load before the measurement window, discarded
 * @param durationSeconds the measurement window
 * @param rounds        how many times each server is measured; servers alternate within a round
 * @param servers       the order of the phases within a round
 * @param clientThreads event loops of the load generator
 * @param bodyBytes     size of each Docker Hub payload
 * @param gatewayLog    what becomes of the gateway's log lines (it logs one INFO line per accepted event)
 * @param verifyIds     after each gateway phase, read the topic back and look for the id of every 2xx answer
 * @param clientJvmOptions options of the load generator's JVM
 * @param bareProducer  how the bare server writes to Kafka
 * @param deploy        whether the servers run in their own processes (as deployed) or in the benchmark's JVM
 * @param keySpreads    the record-key spreads to measure, each in every round
 * @param gatewayJar    the gateway's runnable jar, started with {@code java -jar} when deployed as processes
 * @param serverJvmOptions JVM options of the gateway and bare server processes
 * @param webhookBinary adnanh/webhook, the third server; skipped with a message where it is not installed
 * @param instances     HTTP server instances (event loops) of the gateway ({@code WINCH_GATEWAY_INSTANCES}) and of
 *                      the bare server alike
 * @param serverWarmupSeconds load on each new server process before round 1, not measured (the JIT's ramp)
 * @param rate          requests a second the load generator offers to each server, or 0 for a closed loop (as
 *                      fast as the server answers)
 */
public record BenchOptions(
        int connections,
        int warmupSeconds,
        int durationSeconds,
        int rounds,
        List<Server> servers,
        int clientThreads,
        int bodyBytes,
        GatewayLog gatewayLog,
        boolean verifyIds,
        List<String> clientJvmOptions,
        BareProducer bareProducer,
        Deploy deploy,
        List<KeySpread> keySpreads,
        Path gatewayJar,
        List<String> serverJvmOptions,
        Path webhookBinary,
        int instances,
        int serverWarmupSeconds,
        int rate) {

    /** The servers under load. */
    public enum Server {
        /** Vert.x HTTP server that writes the body to Kafka and answers after the ack: the limit. */
        BARE,
        /** The real gateway: auth, rate limit, parsing, CloudEvent, Kafka, answer after the ack. */
        GATEWAY,
        /** adnanh/webhook: a hook whose rule matches the push and runs {@code /bin/true}; no Kafka. */
        WEBHOOK;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How the bare server hands its records to Kafka. */
    public enum BareProducer {
        /** The gateway's own {@code EventPublisher}: from the event loop once the topic is known. */
        WINCH,
        /** vertx-kafka-client's {@code KafkaProducer}: every send through a worker thread. */
        VERTX
    }

    /** Where the servers run. */
    public enum Deploy {
        /**
         * Each server in its own process, as docker-compose starts them: the gateway as {@code java -jar
         * gateway.jar} with its environment, the bare server as a JVM of its own with the same options. CPU per
         * request is each server process's own.
         */
        PROCESS,
        /** The gateway and the bare server inside the benchmark JVM, beside the broker (handy for profiling). */
        JVM
    }

    /** How the pushes spread over record keys (the gateway keys image-pushed events by repository). */
    public enum KeySpread {
        /** One repository per connection: the records spread over the partitions, as pushes of many images do. */
        CONNECTION("one repository per connection"),
        /** Every push for one repository: one key, one partition, as a busy image's pushes do. */
        ONE("every push for one repository");

        private final String description;

        KeySpread(String description) {
            this.description = description;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        String description() {
            return description;
        }
    }

    /** The gateway logs one INFO line per accepted event; this says what is paid for it. */
    public enum GatewayLog {
        /** Formatted with the production pattern, then discarded: the CPU cost of logging without the I/O. */
        DISCARD,
        /** Formatted and written to a file in the work directory, as a container runtime would store stdout. */
        FILE,
        /** Level WARN: the INFO lines are not even formatted. */
        OFF,
        /** As deployed: the gateway process's stdout (its log) redirected to a file in the work directory, kept. */
        STDOUT
    }

    static final String USAGE = """
            usage: java -jar bench/target/winch-bench.jar [options]
              --connections N      connections, one request in flight each (default 50)
              --warmup S           warm-up seconds per phase, discarded (default 10)
              --duration S         measured seconds per phase (default 20)
              --rounds N           rounds; each round runs every server once (default 3)
              --servers LIST       phase order within a round, from bare,gateway,webhook (default bare,gateway,webhook;
                                   webhook is skipped with a message where --webhook-bin is not installed)
              --key-spread LIST    connection (one repository per connection), one (every push for one repository);
                                   each listed spread runs every server in every round (default connection,one)
              --deploy MODE        process (default: each server its own process, the gateway as java -jar, as
                                   docker-compose starts it) | jvm (gateway and bare server in the benchmark JVM)
              --client-threads N   event loops of the load generator (default 2)
              --body-bytes N       size of each Docker Hub payload (default 1024)
              --gateway-log MODE   process: stdout (default: the gateway's stdout redirected to a file, as deployed) |
                                   off (WARN only); jvm: discard (default: formatted, not written) | file | off
              --verify-ids BOOL    read each gateway phase back and match every 2xx id (default true)
              --client-jvm-opts S  JVM options of the load generator (default "-Xms512m -Xmx512m -XX:+UseSerialGC")
              --bare-producer P    winch | vertx: the bare server's Kafka producer (default winch, the gateway's)
              --gateway-jar PATH   the gateway's jar for --deploy process (default gateway/target/gateway.jar)
              --server-jvm-opts S  JVM options of the server processes (default: the image's entry point,
                                   "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError")
              --webhook-bin PATH   adnanh/webhook (default /usr/bin/webhook)
              --instances N        HTTP server instances (event loops) of the gateway and the bare server (default 1)
              --server-warmup S    load on each server process before round 1, not measured, so that round 1
                                   compares warm servers (default 60; 0: none, round 1 then shows the ramp)
              --rate N             offer N requests/s to every server instead of as many as it answers (default 0:
                                   closed loop); compares CPU per request at one and the same load
            or: java -jar bench/target/winch-bench.jar --from-start --help (throughput per second from the start)
            """;

    public static BenchOptions fromArgs(String[] args) {
        int connections = 50;
        int warmup = 10;
        int duration = 20;
        int rounds = 3;
        List<Server> servers = List.of(Server.BARE, Server.GATEWAY, Server.WEBHOOK);
        int clientThreads = 2;
        int bodyBytes = 1024;
        GatewayLog log = null;
        boolean verify = true;
        List<String> jvm = List.of("-Xms512m", "-Xmx512m", "-XX:+UseSerialGC");
        BareProducer bareProducer = BareProducer.WINCH;
        Deploy deploy = Deploy.PROCESS;
        List<KeySpread> spreads = List.of(KeySpread.CONNECTION, KeySpread.ONE);
        Path gatewayJar = Path.of("gateway", "target", "gateway.jar");
        List<String> serverJvm = List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");
        Path webhook = Path.of("/usr/bin/webhook");
        int instances = 1;
        int rate = 0;
        int serverWarmup = 60;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--help") || name.equals("-h")) {
                throw new IllegalArgumentException("");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--connections" -> connections = integer(name, value, 1, 10_000);
                case "--warmup" -> warmup = integer(name, value, 0, 3_600);
                case "--duration" -> duration = integer(name, value, 1, 3_600);
                case "--rounds" -> rounds = integer(name, value, 1, 100);
                case "--servers" -> servers = servers(value);
                case "--client-threads" -> clientThreads = integer(name, value, 1, 64);
                case "--body-bytes" -> bodyBytes = integer(name, value, DockerHubPush.MIN_BYTES, 1024 * 1024);
                case "--gateway-log" -> log = choice(name, value, GatewayLog.class);
                case "--verify-ids" -> verify = bool(name, value);
                case "--client-jvm-opts" -> jvm = value.isBlank() ? List.of() : Arrays.asList(value.trim().split("\\s+"));
                case "--bare-producer" -> bareProducer = choice(name, value, BareProducer.class);
                case "--deploy" -> deploy = choice(name, value, Deploy.class);
                case "--key-spread" -> spreads = list(name, value, KeySpread.class);
                case "--gateway-jar" -> gatewayJar = Path.of(value);
                case "--server-jvm-opts" -> serverJvm = value.isBlank() ? List.of()
                        : Arrays.asList(value.trim().split("\\s+"));
                case "--webhook-bin" -> webhook = Path.of(value);
                case "--instances" -> instances = integer(name, value, 1, 64);
                case "--server-warmup" -> serverWarmup = integer(name, value, 0, 3_600);
                case "--rate" -> rate = integer(name, value, 0, 1_000_000);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (log == null) {
            log = deploy == Deploy.PROCESS ? GatewayLog.STDOUT : GatewayLog.DISCARD;
        }
        if (deploy == Deploy.PROCESS && (log == GatewayLog.DISCARD || log == GatewayLog.FILE)) {
            throw new IllegalArgumentException("--gateway-log " + log.name().toLowerCase(Locale.ROOT)
                    + " is for --deploy jvm; a gateway process logs to its stdout: stdout or off");
        }
        if (deploy == Deploy.JVM && log == GatewayLog.STDOUT) {
            throw new IllegalArgumentException("--gateway-log stdout needs --deploy process");
        }
        return new BenchOptions(connections, warmup, duration, rounds, servers, clientThreads, bodyBytes, log, verify,
                List.copyOf(jvm), bareProducer, deploy, spreads, gatewayJar, List.copyOf(serverJvm), webhook,
                instances, serverWarmup, rate);
    }

    private static int integer(String name, String value, int min, int max) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
        }
    }

    private static boolean bool(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got '" + value + "'");
        };
    }

    private static <E extends Enum<E>> E choice(String name, String value, Class<E> type) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be one of "
                    + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()
                    + ", got '" + value + "'");
        }
    }

    private static List<Server> servers(String value) {
        return list("--servers", value, Server.class);
    }

    private static <E extends Enum<E>> List<E> list(String name, String value, Class<E> type) {
        List<E> list = new ArrayList<>();
        for (String part : value.split(",")) {
            E item = choice(name, part.trim(), type);
            if (list.contains(item)) {
                throw new IllegalArgumentException(name + " names " + part.trim() + " twice");
            }
            list.add(item);
        }
        return List.copyOf(list);
    }
}
