package dev.winch.common.config;

import dev.winch.common.kafka.KafkaClientSettings;
import java.time.Duration;

/**
 * What every Winch service reads from its environment. Service configs embed it.
 *
 * @param serviceName        the service, e.g. {@code upgrader}; names the consumer group and the metrics
 * @param kafka              {@code KAFKA_BOOTSTRAP_SERVERS} and every other {@code KAFKA_*} client setting (see
 *                           {@link KafkaClientSettings}); its {@code toString} masks secrets
 * @param managementPort     {@code WINCH_MANAGEMENT_PORT}: health and metrics
 * @param managementHost     {@code WINCH_MANAGEMENT_HOST}: the address the management server listens on
 * @param logFormat          {@code WINCH_LOG_FORMAT}: plain or json
 * @param workerPoolSize     {@code WINCH_WORKER_POOL_SIZE}: threads for blocking calls (Kubernetes, SMTP)
 * @param blockingTimeout    {@code WINCH_BLOCKING_TIMEOUT}: the most one blocking call may take
 * @param consumerGroup      {@code WINCH_CONSUMER_GROUP}
 * @param maxInFlight        {@code WINCH_CONSUMER_MAX_IN_FLIGHT}: records held by a consumer before it pauses
 * @param retryMaxAttempts   {@code WINCH_RETRY_MAX_ATTEMPTS}: tries before a record goes to its dead-letter topic
 * @param retryBackoff       {@code WINCH_RETRY_BACKOFF}: first wait between tries, doubled each time
 * @param retryBackoffMax    {@code WINCH_RETRY_BACKOFF_MAX}
 * @param shutdownTimeout    {@code WINCH_SHUTDOWN_TIMEOUT}: how long in-flight work may take to finish on SIGTERM
 * @param httpServerMetrics  {@code WINCH_HTTP_SERVER_METRICS}: Vert.x's per-request HTTP server meters
 */
public record RuntimeConfig(
        String serviceName,
        KafkaClientSettings kafka,
        int managementPort,
        String managementHost,
        LogFormat logFormat,
        int workerPoolSize,
        Duration blockingTimeout,
        String consumerGroup,
        int maxInFlight,
        int retryMaxAttempts,
        Duration retryBackoff,
        Duration retryBackoffMax,
        Duration shutdownTimeout,
        boolean httpServerMetrics) {

    /** How log lines are written. */
    public enum LogFormat {
        PLAIN, JSON
    }

    public static final String KAFKA_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String MANAGEMENT_PORT = "WINCH_MANAGEMENT_PORT";
    public static final String MAX_IN_FLIGHT = "WINCH_CONSUMER_MAX_IN_FLIGHT";
    /** All interfaces: what a container needs to be probed and scraped from outside. */
    public static final String ALL_INTERFACES = "0.0.0.0";

    /** As before {@code KAFKA_*} client settings: a plaintext cluster at {@code kafkaBootstrapServers}. */
    public RuntimeConfig(String serviceName, String kafkaBootstrapServers, int managementPort, String managementHost,
            LogFormat logFormat, int workerPoolSize, Duration blockingTimeout, String consumerGroup, int maxInFlight,
            int retryMaxAttempts, Duration retryBackoff, Duration retryBackoffMax, Duration shutdownTimeout,
            boolean httpServerMetrics) {
        this(serviceName, KafkaClientSettings.plaintext(kafkaBootstrapServers), managementPort, managementHost,
                logFormat, workerPoolSize, blockingTimeout, consumerGroup, maxInFlight, retryMaxAttempts, retryBackoff,
                retryBackoffMax, shutdownTimeout, httpServerMetrics);
    }

    /** {@code KAFKA_BOOTSTRAP_SERVERS}. */
    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Reads the common variables; problems are left in {@code env} for the service config to report. */
    public static RuntimeConfig fromEnv(String serviceName, Env env) {
        return fromEnv(serviceName, env, true);
    }

    /**
     * As {@link #fromEnv(String, Env)}, with the service's own default for {@code WINCH_HTTP_SERVER_METRICS}: a
     * service whose HTTP server is its hot path measures its requests itself and may leave Vert.x's meters off.
     */
    public static RuntimeConfig fromEnv(String serviceName, Env env, boolean httpServerMetricsByDefault) {
        String bootstrap = env.string(KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");
        if (!bootstrap.matches("[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*")) {
            env.problem(KAFKA_BOOTSTRAP_SERVERS + " must be host:port[,host:port...], got '" + bootstrap + "'");
        }
        Duration backoff = env.duration("WINCH_RETRY_BACKOFF", Duration.ofMillis(500), Duration.ofMillis(1));
        Duration backoffMax = env.duration("WINCH_RETRY_BACKOFF_MAX", Duration.ofSeconds(30), Duration.ofMillis(1));
        if (backoffMax.compareTo(backoff) < 0) {
            env.problem("WINCH_RETRY_BACKOFF_MAX must not be less than WINCH_RETRY_BACKOFF");
        }
        return new RuntimeConfig(
                serviceName,
                KafkaClientSettings.fromEnv(env, bootstrap),
                env.port(MANAGEMENT_PORT, 9090),
                env.bindAddress("WINCH_MANAGEMENT_HOST", ALL_INTERFACES),
                env.choice("WINCH_LOG_FORMAT", LogFormat.class, LogFormat.PLAIN),
                env.integer("WINCH_WORKER_POOL_SIZE", 8, 1, 256),
                env.duration("WINCH_BLOCKING_TIMEOUT", Duration.ofSeconds(30), Duration.ofMillis(100)),
                env.string("WINCH_CONSUMER_GROUP", "winch-" + serviceName),
                env.integer(MAX_IN_FLIGHT, 64, 1, 100_000),
                env.integer("WINCH_RETRY_MAX_ATTEMPTS", 5, 1, 100),
                backoff,
                backoffMax,
                env.duration("WINCH_SHUTDOWN_TIMEOUT", Duration.ofSeconds(20), Duration.ZERO),
                env.bool("WINCH_HTTP_SERVER_METRICS", httpServerMetricsByDefault));
    }

    /** The same settings with another {@code maxInFlight}: a service whose batches need more than the default. */
    public RuntimeConfig withMaxInFlight(int records) {
        return new RuntimeConfig(serviceName, kafka, managementPort, managementHost, logFormat,
                workerPoolSize,
                blockingTimeout, consumerGroup, records, retryMaxAttempts, retryBackoff, retryBackoffMax,
                shutdownTimeout, httpServerMetrics);
    }
}
