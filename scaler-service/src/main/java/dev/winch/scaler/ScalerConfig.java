package dev.winch.scaler;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.kubernetes.KubernetesConfig;
import dev.winch.kubernetes.KubernetesServiceConfig;
import java.util.Map;
import java.util.UUID;

/**
 * The scaler's configuration: the common runtime settings plus its own. The cluster comes from {@code KUBECONFIG}
 * or the in-cluster service account.
 *
 * @param runtime    the common settings; unless {@code WINCH_CONSUMER_MAX_IN_FLIGHT} is set, the consumer holds
 *                   up to two batches ({@code 2 × maxBatch}, at least the common default), so a full batch can
 *                   wait while one is written
 * @param kubernetes how the API server is reached ({@code WINCH_KUBERNETES_*})
 * @param maxBatch   {@code WINCH_SCALER_MAX_BATCH} (default {@value #DEFAULT_MAX_BATCH}, 1 to
 *                   {@value #MOST_BATCH}): waiting requests of a partition handed over at once; the requests for one
 *                   target among them become one write. Not above {@code WINCH_CONSUMER_MAX_IN_FLIGHT}: a batch is
 *                   taken from the records the consumer holds
 * @param instanceId {@code WINCH_INSTANCE_ID}, else {@code HOSTNAME} (the pod name on Kubernetes), else random:
 *                   names this replica in results ({@code details.instance})
 */
public record ScalerConfig(RuntimeConfig runtime, KubernetesConfig kubernetes, int maxBatch, String instanceId)
        implements KubernetesServiceConfig {

    public static final String MAX_BATCH = "WINCH_SCALER_MAX_BATCH";
    public static final String INSTANCE_ID = "WINCH_INSTANCE_ID";
    public static final int DEFAULT_MAX_BATCH = 200;
    /**
     * Every result of a write lists the ids folded into it ({@code foldedEventIds}), so the results of one write
     * grow with the square of its size: 500 requests make 500 results of about 20 KB each.
     */
    public static final int MOST_BATCH = 500;

    public static ScalerConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        RuntimeConfig runtime = RuntimeConfig.fromEnv("scaler", env);
        int maxBatch = env.integer(MAX_BATCH, DEFAULT_MAX_BATCH, 1, MOST_BATCH);
        if (env.optional(RuntimeConfig.MAX_IN_FLIGHT).isEmpty()) {
            runtime = runtime.withMaxInFlight(Math.max(runtime.maxInFlight(), 2 * maxBatch));
        } else if (runtime.maxInFlight() < maxBatch) {
            env.problem(MAX_BATCH + " (" + maxBatch + ") must not be above " + RuntimeConfig.MAX_IN_FLIGHT + " ("
                    + runtime.maxInFlight() + "): a batch is taken from the records the consumer holds");
        }
        ScalerConfig config = new ScalerConfig(runtime, KubernetesConfig.fromEnv(env, runtime), maxBatch,
                env.optional(INSTANCE_ID).or(() -> env.optional("HOSTNAME"))
                        .orElseGet(() -> "scaler-" + UUID.randomUUID().toString().substring(0, 8)));
        env.validate();
        return config;
    }
}
