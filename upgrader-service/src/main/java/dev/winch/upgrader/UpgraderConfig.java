package dev.winch.upgrader;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.kubernetes.KubernetesConfig;
import dev.winch.kubernetes.KubernetesServiceConfig;
import java.time.Duration;
import java.util.Map;

/**
 * The upgrader's configuration: the common runtime settings plus how rollouts are followed. The cluster comes from
 * {@code KUBECONFIG} or the in-cluster service account.
 *
 * @param kubernetes           how the API server is reached ({@code WINCH_KUBERNETES_*})
 * @param rolloutTimeout       {@code WINCH_UPGRADER_ROLLOUT_TIMEOUT}: how long a rollout may take before it counts
 *                             as failed, when the receiver gives no timeout
 * @param rolloutPollInterval  {@code WINCH_UPGRADER_ROLLOUT_POLL_INTERVAL}: how often followed workloads are read
 * @param maxTrackedRollouts   {@code WINCH_UPGRADER_MAX_TRACKED_ROLLOUTS}: rollouts followed at once; beyond it a
 *                             rollout is applied but not followed, and its result says so
 */
public record UpgraderConfig(RuntimeConfig runtime, KubernetesConfig kubernetes, Duration rolloutTimeout,
        Duration rolloutPollInterval, int maxTrackedRollouts) implements KubernetesServiceConfig {

    public static final Duration DEFAULT_ROLLOUT_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_TRACKED = 1000;

    public static UpgraderConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        RuntimeConfig runtime = RuntimeConfig.fromEnv("upgrader", env);
        UpgraderConfig config = new UpgraderConfig(runtime, KubernetesConfig.fromEnv(env, runtime),
                env.duration("WINCH_UPGRADER_ROLLOUT_TIMEOUT", DEFAULT_ROLLOUT_TIMEOUT, Duration.ofSeconds(1)),
                env.duration("WINCH_UPGRADER_ROLLOUT_POLL_INTERVAL", DEFAULT_POLL_INTERVAL, Duration.ofMillis(100)),
                env.integer("WINCH_UPGRADER_MAX_TRACKED_ROLLOUTS", DEFAULT_MAX_TRACKED, 0, 1_000_000));
        env.validate();
        return config;
    }

    /** The defaults of the upgrader's own settings, on the given runtime settings. */
    public static UpgraderConfig withDefaults(RuntimeConfig runtime) {
        return new UpgraderConfig(runtime, new KubernetesConfig(KubernetesConfig.DEFAULT_CONNECT_TIMEOUT,
                KubernetesConfig.DEFAULT_REQUEST_TIMEOUT), DEFAULT_ROLLOUT_TIMEOUT, DEFAULT_POLL_INTERVAL, DEFAULT_MAX_TRACKED);
    }
}
