package dev.winch.gateway;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.config.Secret;
import dev.winch.common.config.ServiceConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's configuration.
 *
 * @param httpPort          {@code WINCH_HTTP_PORT}: webhooks and the admin API
 * @param httpHost          {@code WINCH_HTTP_HOST}: the address webhooks and the admin API are served on
 * @param receiversFile     {@code WINCH_RECEIVERS_FILE}: receivers declared in a YAML or JSON file
 * @param adminToken        {@code WINCH_ADMIN_TOKEN}: bearer token of the admin API
 * @param publicUrl         {@code WINCH_PUBLIC_URL}: the base of trigger URLs shown by the admin API
 * @param maxBodyBytes      {@code WINCH_MAX_BODY_BYTES}: larger requests get 413
 * @param channelsFile      {@code WINCH_NOTIFIER_CHANNELS_FILE}: the notifier's channels file, for the names a
 *                          receiver's {@code notify} may use
 * @param ratePerSecond     {@code WINCH_RATE_LIMIT_PER_SECOND}: default sustained rate per receiver
 * @param rateBurst         {@code WINCH_RATE_LIMIT_BURST}: default burst per receiver
 * @param maxInFlight       {@code WINCH_MAX_IN_FLIGHT}: requests waiting for Kafka before new ones get 503
 * @param statusCapacity    {@code WINCH_EVENT_STATUS_CAPACITY}: events whose delivery status is kept
 * @param instances         {@code WINCH_GATEWAY_INSTANCES}: HTTP server instances, each on its own event loop, sharing
 *                          the port; by default one per available processor
 * @param warmupRequests    {@code WINCH_GATEWAY_WARMUP}: synthetic requests sent through the request path before the
 *                          gateway listens; 0, the default, sends none (measured on two cores, a warm-up delayed
 *                          readiness by more than it shortened the ramp after it: docs/benchmarks.md)
 */
public record GatewayConfig(
        RuntimeConfig runtime,
        int httpPort,
        String httpHost,
        Optional<Path> receiversFile,
        Optional<Path> channelsFile,
        Optional<Secret> adminToken,
        Optional<String> publicUrl,
        int maxBodyBytes,
        double ratePerSecond,
        int rateBurst,
        int maxInFlight,
        int statusCapacity,
        int instances,
        int warmupRequests) implements ServiceConfig {

    /** More instances than this buy nothing but event-loop contexts: the machine has not that many cores. */
    public static final int MAX_INSTANCES = 64;
    public static final int DEFAULT_WARMUP_REQUESTS = 0;

    public static GatewayConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        GatewayConfig config = new GatewayConfig(
                // Hook requests are measured by the gateway itself (winch_gateway_request_seconds).
                RuntimeConfig.fromEnv("gateway", env, false),
                env.port("WINCH_HTTP_PORT", 8080),
                env.bindAddress("WINCH_HTTP_HOST", RuntimeConfig.ALL_INTERFACES),
                env.readableFile("WINCH_RECEIVERS_FILE"),
                env.readableFile("WINCH_NOTIFIER_CHANNELS_FILE"),
                env.secret("WINCH_ADMIN_TOKEN"),
                env.uri("WINCH_PUBLIC_URL").map(uri -> uri.toString().replaceAll("/+$", "")),
                env.integer("WINCH_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
                env.integer("WINCH_RATE_LIMIT_PER_SECOND", 50, 1, 1_000_000),
                env.integer("WINCH_RATE_LIMIT_BURST", 100, 1, 1_000_000),
                env.integer("WINCH_MAX_IN_FLIGHT", 5_000, 1, 1_000_000),
                env.integer("WINCH_EVENT_STATUS_CAPACITY", 10_000, 100, 10_000_000),
                env.integer("WINCH_GATEWAY_INSTANCES", defaultInstances(), 1, MAX_INSTANCES),
                env.integer("WINCH_GATEWAY_WARMUP", DEFAULT_WARMUP_REQUESTS, 0, 1_000_000));
        env.validate();
        return config;
    }

    /**
     * One HTTP server instance per processor the JVM may use (in a container: its CPU limit, as the JVM reads it):
     * each instance is one event loop, and an event loop uses at most one core.
     */
    static int defaultInstances() {
        return Math.max(1, Math.min(MAX_INSTANCES, Runtime.getRuntime().availableProcessors()));
    }
}
