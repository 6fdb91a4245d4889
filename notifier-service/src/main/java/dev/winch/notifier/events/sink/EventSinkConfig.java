package dev.winch.notifier.events.sink;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.kubernetes.KubernetesConfig;
import java.time.Duration;
import java.util.List;

/**
 * The Kubernetes event sinks' settings.
 *
 * @param sinks             {@code WINCH_NOTIFIER_EVENT_SINKS}: kube-eventer sink flags, one a line (and the channels
 *                          file's {@code eventSinks}, added when it is read)
 * @param aggregationWindow {@code WINCH_NOTIFIER_EVENT_AGGREGATION_WINDOW} (default 1m, 0 turns folding off): repeats
 *                          of an Event within it, only their count and times changed, make one message
 * @param kubernetes        the client's timeouts ({@code WINCH_KUBERNETES_*}), for the body templates' ConfigMaps
 */
public record EventSinkConfig(List<SinkSpec> sinks, Duration aggregationWindow, KubernetesConfig kubernetes) {

    public static final String SINKS = "WINCH_NOTIFIER_EVENT_SINKS";
    public static final String AGGREGATION_WINDOW = "WINCH_NOTIFIER_EVENT_AGGREGATION_WINDOW";
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

    public static final EventSinkConfig NONE = new EventSinkConfig(List.of(), DEFAULT_WINDOW,
            new KubernetesConfig(KubernetesConfig.DEFAULT_CONNECT_TIMEOUT, KubernetesConfig.DEFAULT_REQUEST_TIMEOUT));

    public EventSinkConfig {
        sinks = List.copyOf(sinks);
    }

    /** Reads the variables; problems (naming the variable, line and parameter) are left in {@code env}. */
    public static EventSinkConfig fromEnv(Env env, RuntimeConfig runtime) {
        List<SinkSpec> sinks = List.of();
        String text = env.optional(SINKS).orElse("");
        if (!text.isBlank()) {
            try {
                sinks = SinkFlags.parse(text, SINKS);
            } catch (IllegalArgumentException e) {
                env.problem(e.getMessage());
            }
        }
        Duration window = env.duration(AGGREGATION_WINDOW, DEFAULT_WINDOW, Duration.ZERO);
        KubernetesConfig kubernetes = KubernetesConfig.fromEnv(env, runtime);
        return new EventSinkConfig(sinks, window, kubernetes);
    }

    /** These settings with {@code more} sinks after the variable's. */
    public EventSinkConfig plus(List<SinkSpec> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<SinkSpec> all = new java.util.ArrayList<>(sinks);
        all.addAll(more);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (SinkSpec sink : all) {
            if (!names.add(sink.name())) {
                throw new IllegalArgumentException("two event sinks are named '" + sink.name()
                        + "' (set sink_name= on one of them)");
            }
        }
        return new EventSinkConfig(all, aggregationWindow, kubernetes);
    }
}
