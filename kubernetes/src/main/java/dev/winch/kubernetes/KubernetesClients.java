package dev.winch.kubernetes;

import dev.winch.common.runtime.ServiceMain;
import dev.winch.common.runtime.ServiceRuntime;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Future;

/** The Kubernetes client for services that act on a cluster. */
public final class KubernetesClients {

    /**
     * Builds a client. Blocking: building reads the kubeconfig files or the service account's token and CA, and
     * sets up the HTTP client (several seconds on a loaded machine), so it is only ever called on the worker pool.
     */
    @FunctionalInterface
    public interface Factory {
        KubernetesClient create(KubernetesConfig settings);
    }

    /** Starts a service with the client built for it; called on an event loop, so it must not block. */
    @FunctionalInterface
    public interface ServiceStarter<C> {
        Future<?> start(ServiceRuntime runtime, C config, KubernetesClient client);
    }

    private KubernetesClients() {
    }

    /**
     * A client configured the standard way: {@code KUBECONFIG} or {@code ~/.kube/config}, else the in-cluster
     * service account; with the connect and request timeouts of {@code settings}. Blocking (see {@link Factory}).
     */
    public static KubernetesClient fromEnvironment(KubernetesConfig settings) {
        // Set on the auto-configured Config rather than copied through a ConfigBuilder: everything else fabric8
        // read stays exactly as it read it.
        Config config = Config.autoConfigure(null);
        config.setConnectionTimeout(Math.toIntExact(settings.connectTimeout().toMillis()));
        config.setRequestTimeout(Math.toIntExact(settings.requestTimeout().toMillis()));
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * The start of a service that acts on Kubernetes: builds its client with {@code factory} on the worker pool,
     * then starts {@code service} with it on the caller's context. A client that cannot be built fails the start.
     */
    public static <C extends KubernetesServiceConfig> ServiceMain.Starter<C> starter(Factory factory,
            ServiceStarter<C> service) {
        return (runtime, config) -> runtime.blocking().call(() -> factory.create(config.kubernetes()))
                .compose(client -> service.start(runtime, config, client));
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
