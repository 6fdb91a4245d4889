package dev.winch.notifier;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.config.ServiceConfig;
import dev.winch.notifier.delivery.DeliverySettings;
import dev.winch.notifier.delivery.RetryPolicy;
import dev.winch.notifier.events.sink.EventSinkConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The notifier's configuration.
 *
 * @param channelsFile  {@code WINCH_NOTIFIER_CHANNELS_FILE}: the channels and the default routes
 * @param receiversFile {@code WINCH_NOTIFIER_RECEIVERS_FILE}: the gateway's receivers file, for the routes of
 *                      receivers declared there (those of the admin API come from {@code winch.receivers})
 * @param publicUrl     {@code WINCH_PUBLIC_URL}: the gateway's public URL, for links to an event in messages
 * @param delivery      retries ({@code WINCH_NOTIFIER_RETRY_*}), {@code WINCH_NOTIFIER_ATTEMPT_TIMEOUT},
 *                      {@code WINCH_NOTIFIER_DIGEST_MAX}
 * @param events        the Kubernetes event sinks ({@code WINCH_NOTIFIER_EVENT_SINKS},
 *                      {@code WINCH_NOTIFIER_EVENT_AGGREGATION_WINDOW})
 */
public record NotifierConfig(RuntimeConfig runtime, Optional<Path> channelsFile, Optional<Path> receiversFile,
        Optional<String> publicUrl, DeliverySettings delivery, EventSinkConfig events) implements ServiceConfig {

    /** Without Kubernetes event sinks. */
    public NotifierConfig(RuntimeConfig runtime, Optional<Path> channelsFile, Optional<Path> receiversFile,
            Optional<String> publicUrl, DeliverySettings delivery) {
        this(runtime, channelsFile, receiversFile, publicUrl, delivery, EventSinkConfig.NONE);
    }

    /** Results, besides the per-partition marks, whose ids each channel remembers as delivered. */
    static final int RECENT_IDS = 10_000;

    public static NotifierConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        RuntimeConfig runtime = RuntimeConfig.fromEnv("notifier", env);
        Optional<Path> channels = env.readableFile("WINCH_NOTIFIER_CHANNELS_FILE");
        Optional<Path> receivers = env.readableFile("WINCH_NOTIFIER_RECEIVERS_FILE");
        Optional<String> publicUrl = env.uri("WINCH_PUBLIC_URL").map(uri -> uri.toString().replaceAll("/+$", ""));
        int attempts = env.integer("WINCH_NOTIFIER_RETRY_MAX_ATTEMPTS", 8, 1, 100);
        Duration maxElapsed = env.duration("WINCH_NOTIFIER_RETRY_MAX_ELAPSED", Duration.ofMinutes(15),
                Duration.ofMillis(1));
        Duration backoff = env.duration("WINCH_NOTIFIER_RETRY_BACKOFF", Duration.ofSeconds(1), Duration.ofMillis(1));
        Duration backoffMax = env.duration("WINCH_NOTIFIER_RETRY_BACKOFF_MAX", Duration.ofMinutes(2),
                Duration.ofMillis(1));
        if (backoffMax.compareTo(backoff) < 0) {
            env.problem("WINCH_NOTIFIER_RETRY_BACKOFF_MAX must not be less than WINCH_NOTIFIER_RETRY_BACKOFF");
            backoffMax = backoff;
        }
        Duration retryAfterMax = env.duration("WINCH_NOTIFIER_RETRY_AFTER_MAX", Duration.ofMinutes(5),
                Duration.ofMillis(1));
        Duration attemptTimeout = env.duration("WINCH_NOTIFIER_ATTEMPT_TIMEOUT", Duration.ofSeconds(30),
                Duration.ofMillis(10));
        int digestMax = env.integer("WINCH_NOTIFIER_DIGEST_MAX", 100, 2, 10_000);
        // Kubernetes event sinks (kube-eventer's sink flags)
        EventSinkConfig events = EventSinkConfig.fromEnv(env, runtime);
        NotifierConfig config = new NotifierConfig(runtime, channels, receivers, publicUrl,
                new DeliverySettings(new RetryPolicy(attempts, maxElapsed, backoff, backoffMax, retryAfterMax),
                        attemptTimeout, Duration.ofMinutes(1), digestMax, RECENT_IDS), events);
        env.validate();
        return config;
    }

    /** The same settings with other event sinks (the channels file's added). */
    public NotifierConfig withEvents(EventSinkConfig other) {
        return new NotifierConfig(runtime, channelsFile, receiversFile, publicUrl, delivery, other);
    }

    /** The same settings on another runtime configuration. */
    public NotifierConfig withRuntime(RuntimeConfig other) {
        return new NotifierConfig(other, channelsFile, receiversFile, publicUrl, delivery, events);
    }
}
