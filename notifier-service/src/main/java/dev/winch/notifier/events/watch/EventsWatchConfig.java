package dev.winch.notifier.events.watch;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.event.Topics;
import dev.winch.common.kubernetes.KubernetesNames;
import dev.winch.kubernetes.KubernetesConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Kubernetes event watcher's settings. Off unless {@code WINCH_NOTIFIER_EVENTS_WATCH=true}: then the notifier
 * needs a cluster (kubeconfig or in-cluster service account); off, it never builds a Kubernetes client.
 *
 * @param enabled        {@code WINCH_NOTIFIER_EVENTS_WATCH} (default false)
 * @param namespaces     {@code WINCH_NOTIFIER_EVENTS_NAMESPACES}: a comma list; empty = the whole cluster (one
 *                       watch), else one watch per namespace
 * @param leaseName      {@code WINCH_NOTIFIER_EVENTS_LEASE_NAME} (default {@value #DEFAULT_LEASE_NAME})
 * @param leaseNamespace {@code WINCH_NOTIFIER_EVENTS_LEASE_NAMESPACE} (default {@code POD_NAMESPACE}, else
 *                       {@value #DEFAULT_LEASE_NAMESPACE})
 * @param identity       {@code WINCH_INSTANCE_ID}, else {@code HOSTNAME}, else random: this replica's name in the
 *                       Lease
 * @param leaseDuration  {@code WINCH_NOTIFIER_EVENTS_LEASE_DURATION} (default 15s): how long the others wait
 *                       after the leader's last renewal before taking over
 * @param renewDeadline  {@code WINCH_NOTIFIER_EVENTS_LEASE_RENEW_DEADLINE} (default 10s, less than the duration):
 *                       a leader that could not renew for this long stops watching
 * @param retryPeriod    {@code WINCH_NOTIFIER_EVENTS_LEASE_RETRY_PERIOD} (default 2s, less than the renew
 *                       deadline): between two tries to acquire or renew
 * @param readBack       {@code WINCH_NOTIFIER_EVENTS_READ_BACK} (default 75m): how far back a new leader reads the
 *                       topic to learn what was published; at least the API server's event TTL (1h by default)
 * @param remember       {@code WINCH_NOTIFIER_EVENTS_REMEMBER} (default 100000): how many published events (uid and
 *                       resourceVersion) are kept to recognise them after a relist
 * @param topic          the topic published to ({@code winch.k8s.events}; tests use their own)
 * @param kubernetes     how the API server is reached ({@code WINCH_KUBERNETES_*})
 */
public record EventsWatchConfig(boolean enabled, List<String> namespaces, String leaseName, String leaseNamespace,
        String identity, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod, Duration readBack,
        int remember, String topic, KubernetesConfig kubernetes) {

    public static final String WATCH = "WINCH_NOTIFIER_EVENTS_WATCH";
    public static final String NAMESPACES = "WINCH_NOTIFIER_EVENTS_NAMESPACES";
    public static final String LEASE_NAME = "WINCH_NOTIFIER_EVENTS_LEASE_NAME";
    public static final String LEASE_NAMESPACE = "WINCH_NOTIFIER_EVENTS_LEASE_NAMESPACE";
    public static final String LEASE_DURATION = "WINCH_NOTIFIER_EVENTS_LEASE_DURATION";
    public static final String RENEW_DEADLINE = "WINCH_NOTIFIER_EVENTS_LEASE_RENEW_DEADLINE";
    public static final String RETRY_PERIOD = "WINCH_NOTIFIER_EVENTS_LEASE_RETRY_PERIOD";
    public static final String READ_BACK = "WINCH_NOTIFIER_EVENTS_READ_BACK";
    public static final String REMEMBER = "WINCH_NOTIFIER_EVENTS_REMEMBER";
    public static final String INSTANCE_ID = "WINCH_INSTANCE_ID";
    public static final String DEFAULT_LEASE_NAME = "winch-notifier-events";
    public static final String DEFAULT_LEASE_NAMESPACE = "winch";

    public EventsWatchConfig {
        namespaces = List.copyOf(namespaces);
    }

    /** Reads the variables; problems are left in {@code env} (the caller validates). */
    public static EventsWatchConfig fromEnv(Env env, RuntimeConfig runtime) {
        boolean enabled = env.bool(WATCH, false);
        List<String> namespaces = namespaces(env);
        String leaseName = env.string(LEASE_NAME, DEFAULT_LEASE_NAME);
        if (!KubernetesNames.isDns1123Subdomain(leaseName)) {
            env.problem(LEASE_NAME + " must be a Kubernetes object name (RFC 1123 subdomain), got '" + leaseName
                    + "'");
        }
        String leaseNamespace = env.optional(LEASE_NAMESPACE).or(() -> env.optional("POD_NAMESPACE"))
                .orElse(DEFAULT_LEASE_NAMESPACE);
        KubernetesNames.dns1123LabelProblem(leaseNamespace).ifPresent(problem -> env.problem(LEASE_NAMESPACE
                + " must be a namespace name: " + problem + ", got '" + leaseNamespace + "'"));
        String identity = env.optional(INSTANCE_ID).or(() -> env.optional("HOSTNAME"))
                .orElseGet(() -> "notifier-" + UUID.randomUUID().toString().substring(0, 8));
        Duration duration = env.duration(LEASE_DURATION, Duration.ofSeconds(15), Duration.ofMillis(100));
        Duration renew = env.duration(RENEW_DEADLINE, Duration.ofSeconds(10), Duration.ofMillis(50));
        Duration retry = env.duration(RETRY_PERIOD, Duration.ofSeconds(2), Duration.ofMillis(10));
        if (renew.compareTo(duration) >= 0) {
            env.problem(RENEW_DEADLINE + " must be less than " + LEASE_DURATION
                    + ": a leader must stop before another may take over");
        }
        if (retry.compareTo(renew) >= 0) {
            env.problem(RETRY_PERIOD + " must be less than " + RENEW_DEADLINE);
        }
        Duration readBack = env.duration(READ_BACK, Duration.ofMinutes(75), Duration.ofMinutes(1));
        int remember = env.integer(REMEMBER, 100_000, 100, 10_000_000);
        return new EventsWatchConfig(enabled, namespaces, leaseName, leaseNamespace, identity, duration, renew,
                retry, readBack, remember, Topics.K8S_EVENTS, KubernetesConfig.fromEnv(env, runtime));
    }

    /** Reads and validates the watcher's settings alone. */
    public static EventsWatchConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        RuntimeConfig runtime = RuntimeConfig.fromEnv("notifier", env);
        EventsWatchConfig config = fromEnv(env, runtime);
        env.validate();
        return config;
    }

    /** Whether the whole cluster is watched (one watch) rather than a list of namespaces. */
    public boolean clusterWide() {
        return namespaces.isEmpty();
    }

    /** The same settings, publishing to {@code other}. */
    public EventsWatchConfig withTopic(String other) {
        return new EventsWatchConfig(enabled, namespaces, leaseName, leaseNamespace, identity, leaseDuration,
                renewDeadline, retryPeriod, readBack, remember, other, kubernetes);
    }

    /** The same settings under another identity. */
    public EventsWatchConfig withIdentity(String other) {
        return new EventsWatchConfig(enabled, namespaces, leaseName, leaseNamespace, other, leaseDuration,
                renewDeadline, retryPeriod, readBack, remember, topic, kubernetes);
    }

    private static List<String> namespaces(Env env) {
        String raw = env.string(NAMESPACES, "");
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (String part : raw.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            KubernetesNames.dns1123LabelProblem(name).ifPresent(problem -> env.problem(NAMESPACES
                    + " must be a comma list of namespace names: " + problem + ", got '" + name + "'"));
            names.add(name);
        }
        return new ArrayList<>(names);
    }
}
