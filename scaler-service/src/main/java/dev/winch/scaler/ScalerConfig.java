package dev.winch.scaler;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.kubernetes.AppliedEvents;
import dev.winch.common.kubernetes.KubernetesConfig;
import dev.winch.common.kubernetes.KubernetesServiceConfig;
import java.util.Map;
import java.util.UUID;

/**
 * The scaler's configuration: the common runtime settings plus its own. The cluster comes from {@code KUBECONFIG}
 * or the in-cluster service account.
 *
 * @param runtime    the common settings
 * @param kubernetes how the API server is reached ({@code WINCH_KUBERNETES_*})
 * @param maxBatch   {@code WINCH_SCALER_MAX_BATCH} (default 10, 1 to {@value AppliedEvents#KEEP}): waiting requests
 *                   of a partition handed over at once; the requests for one target among them become one write.
 *                   At most {@link AppliedEvents#KEEP}: every id of a write must still be on the workload when its
 *                   record is redelivered
 * @param instanceId {@code WINCH_INSTANCE_ID}, else {@code HOSTNAME} (the pod name on Kubernetes), else random:
 *                   names this replica in results ({@code details.instance})
 */
public record ScalerConfig(RuntimeConfig runtime, KubernetesConfig kubernetes, int maxBatch, String instanceId)
        implements KubernetesServiceConfig {

    public static final String MAX_BATCH = "WINCH_SCALER_MAX_BATCH";
    public static final String INSTANCE_ID = "WINCH_INSTANCE_ID";

    public static ScalerConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        RuntimeConfig runtime = RuntimeConfig.fromEnv("scaler", env);
        ScalerConfig config = new ScalerConfig(
                runtime,
                KubernetesConfig.fromEnv(env, runtime),
                env.integer(MAX_BATCH, 10, 1, AppliedEvents.KEEP),
                env.optional(INSTANCE_ID).or(() -> env.optional("HOSTNAME"))
                        .orElseGet(() -> "scaler-" + UUID.randomUUID().toString().substring(0, 8)));
        env.validate();
        return config;
    }
}
