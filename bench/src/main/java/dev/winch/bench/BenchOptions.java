package dev.winch.bench;

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
        BareProducer bareProducer) {

    /** The two servers under load. */
    public enum Server {
        /** Vert.x HTTP server that writes the body to Kafka and answers after the ack: the limit. */
        BARE,
        /** The real gateway: auth, rate limit, parsing, CloudEvent, Kafka, answer after the ack. */
        GATEWAY;

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

    /** The gateway logs one INFO line per accepted event; this says what is paid for it. */
    public enum GatewayLog {
        /** Formatted with the production pattern, then discarded: the CPU cost of logging without the I/O. */
        DISCARD,
        /** Formatted and written to a file in the work directory, as a container runtime would store stdout. */
        FILE,
        /** Level WARN: the INFO lines are not even formatted. */
        OFF
    }

    static final String USAGE = """
            usage: java -jar bench/target/winch-bench.jar [options]
              --connections N      connections, one request in flight each (default 50)
              --warmup S           warm-up seconds per phase, discarded (default 10)
              --duration S         measured seconds per phase (default 20)
              --rounds N           rounds; each round runs every server once (default 3)
              --servers LIST       phase order within a round: bare,gateway (default bare,gateway)
              --client-threads N   event loops of the load generator (default 2)
              --body-bytes N       size of each Docker Hub payload (default 1024)
              --gateway-log MODE   discard | file | off (default discard: formatted, not written)
              --verify-ids BOOL    read each gateway phase back and match every 2xx id (default true)
              --client-jvm-opts S  JVM options of the load generator (default "-Xms512m -Xmx512m -XX:+UseSerialGC")
              --bare-producer P    winch | vertx: the bare server's Kafka producer (default winch, the gateway's)
            or: java -jar bench/target/winch-bench.jar --from-start --help (throughput per second from the start)
            """;

    public static BenchOptions fromArgs(String[] args) {
        int connections = 50;
        int warmup = 10;
        int duration = 20;
        int rounds = 3;
        List<Server> servers = List.of(Server.BARE, Server.GATEWAY);
        int clientThreads = 2;
        int bodyBytes = 1024;
        GatewayLog log = GatewayLog.DISCARD;
        boolean verify = true;
        List<String> jvm = List.of("-Xms512m", "-Xmx512m", "-XX:+UseSerialGC");
        BareProducer bareProducer = BareProducer.WINCH;
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
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        return new BenchOptions(connections, warmup, duration, rounds, servers, clientThreads, bodyBytes, log, verify,
                List.copyOf(jvm), bareProducer);
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
        List<Server> list = new ArrayList<>();
        for (String part : value.split(",")) {
            list.add(choice("--servers", part.trim(), Server.class));
        }
        return List.copyOf(list);
    }
}
