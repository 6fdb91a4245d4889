package dev.winch.host;

import dev.winch.common.runtime.ServiceMain;
import dev.winch.host.kubernetes.NodeDrainer;
import dev.winch.host.provider.exec.ExecRunner;
import dev.winch.kubernetes.KubernetesClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;

/** Starts the host service process. */
public final class HostMain {

    private HostMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), HostConfig::fromEnv, starter(KubernetesClients::fromEnvironment));
    }

    /** Builds the client with {@code clients} on the worker pool, then starts the host service with it. */
    static ServiceMain.Starter<HostConfig> starter(KubernetesClients.Factory clients) {
        return KubernetesClients.starter(clients, (runtime, config, client) -> new HostService(runtime, client,
                config, drainer(client, runtime.vertx(), config), runner(runtime.vertx())).start());
    }

    /**
     * The drainer of removed hosts. WIRED AT MERGE: becomes {@code new KubernetesNodeDrainer(client, vertx,
     * config.drainTimeout(), config.drainRetryInterval(), config.drainConcurrency(), Clock.systemUTC())}.
     */
    static NodeDrainer drainer(KubernetesClient client, Vertx vertx, HostConfig config) {
        throw new UnsupportedOperationException("wired at merge");
    }

    /** The exec provider's runner. WIRED AT MERGE: becomes {@code new ProcessExecRunner(vertx)}. */
    static ExecRunner runner(Vertx vertx) {
        throw new UnsupportedOperationException("wired at merge");
    }
}
