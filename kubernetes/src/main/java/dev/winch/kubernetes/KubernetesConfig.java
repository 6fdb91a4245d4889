package dev.winch.kubernetes;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import java.time.Duration;

/**
 * How a service that acts on Kubernetes talks to the API server. Which cluster, and as whom, comes from
 * {@code KUBECONFIG}, {@code ~/.kube/config} or the in-cluster service account, as fabric8 reads them; these
 * settings take precedence over fabric8's own {@code KUBERNETES_*_TIMEOUT} variables.
 *
 * @param connectTimeout {@code WINCH_KUBERNETES_CONNECT_TIMEOUT} (default 10s): the most opening a connection to the
 *                       API server may take
 * @param requestTimeout {@code WINCH_KUBERNETES_REQUEST_TIMEOUT} (default 10s): the most the API server may take to
 *                       answer one request
 */
public record KubernetesConfig(Duration connectTimeout, Duration requestTimeout) {

    public static final String CONNECT_TIMEOUT = "WINCH_KUBERNETES_CONNECT_TIMEOUT";
    public static final String REQUEST_TIMEOUT = "WINCH_KUBERNETES_REQUEST_TIMEOUT";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final Duration MIN = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofHours(1);

    /**
     * Reads the variables; problems are left in {@code env}. A connect and a request together must fit in
     * {@code WINCH_BLOCKING_TIMEOUT}: otherwise the worker pool gives up on a call whose first attempt the client is
     * still waiting for, and the call keeps a worker thread busy after its caller has moved on. (The client retries
     * a failed connection or a 5xx with backoff, so a call can still outlast the bound; the bound is what the
     * caller waits.)
     */
    public static KubernetesConfig fromEnv(Env env, RuntimeConfig runtime) {
        Duration connect = bounded(env, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT);
        Duration request = bounded(env, REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
        if (connect.plus(request).compareTo(runtime.blockingTimeout()) > 0) {
            env.problem(CONNECT_TIMEOUT + " + " + REQUEST_TIMEOUT + " (" + connect.plus(request).toMillis()
                    + "ms) must not exceed WINCH_BLOCKING_TIMEOUT (" + runtime.blockingTimeout().toMillis()
                    + "ms): a Kubernetes call must time out before the worker pool gives up on it");
        }
        return new KubernetesConfig(connect, request);
    }

    private static Duration bounded(Env env, String name, Duration defaultValue) {
        Duration value = env.duration(name, defaultValue, MIN);
        if (value.compareTo(MAX) > 0) {
            env.problem(name + " must be at most 1h, got " + value.toSeconds() + "s");
            return defaultValue;
        }
        return value;
    }
}
