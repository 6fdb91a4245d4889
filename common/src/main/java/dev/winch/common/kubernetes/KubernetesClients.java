package dev.winch.common.kubernetes;

import dev.winch.common.runtime.ServiceRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** The Kubernetes client for services that act on a cluster. */
public final class KubernetesClients {

    private KubernetesClients() {
    }

    /**
     * A client configured the standard way: {@code KUBECONFIG} or {@code ~/.kube/config}, else the in-cluster
     * service account.
     */
    public static KubernetesClient fromEnvironment() {
        return new KubernetesClientBuilder().build();
    }

    /**
     * Makes the service ready only while the API server answers {@code /version}, which any authenticated
     * client may read. The call runs on the worker pool; the client is closed on shutdown.
     */
    public static void attach(ServiceRuntime runtime, KubernetesClient client) {
        runtime.readiness().register("kubernetes", 4_000,
                () -> runtime.blocking().call(client::getKubernetesVersion));
        runtime.onClose(() -> runtime.blocking().run(client::close));
    }
}
