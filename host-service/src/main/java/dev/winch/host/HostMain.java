package dev.winch.host;

import dev.winch.common.runtime.ServiceMain;
import dev.winch.host.kubernetes.NodeDrainer;
import dev.winch.host.model.DrainReport;
import dev.winch.host.provider.exec.ExecRunner;
import dev.winch.kubernetes.KubernetesClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

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
     * config.drainTimeout(), config.drainRetryInterval(), config.drainConcurrency(), Clock.systemUTC())}. Until then
     * every drain fails with UnsupportedOperationException("wired at merge") (the service still starts, so the local
     * run does; a scale-down is retried and dead-lettered).
     */
    static NodeDrainer drainer(KubernetesClient client, Vertx vertx, HostConfig config) {
        return new NodeDrainer() {
            @Override
            public Future<DrainReport> drain(String node, String eventId) {
                return Future.failedFuture(new UnsupportedOperationException("wired at merge"));
            }

            @Override
            public Future<List<DrainReport>> drainAll(List<String> nodes, String eventId) {
                return Future.failedFuture(new UnsupportedOperationException("wired at merge"));
            }
        };
    }

    /**
     * The exec provider's runner. WIRED AT MERGE: becomes {@code new ProcessExecRunner(vertx)}. Until then every run
     * fails with UnsupportedOperationException("wired at merge").
     */
    static ExecRunner runner(Vertx vertx) {
        return request -> Future.failedFuture(new UnsupportedOperationException("wired at merge"));
    }
}
