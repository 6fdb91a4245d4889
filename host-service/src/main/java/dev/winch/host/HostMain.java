package dev.winch.host;

import dev.winch.common.runtime.ServiceMain;
import dev.winch.host.kubernetes.KubernetesNodeDrainer;
import dev.winch.host.provider.exec.ProcessExecRunner;
import dev.winch.kubernetes.KubernetesClients;
import java.time.Clock;

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
                config,
                new KubernetesNodeDrainer(client, runtime.vertx(), config.drainTimeout(),
                        config.drainRetryInterval(), config.drainConcurrency(), Clock.systemUTC()),
                new ProcessExecRunner(runtime.vertx())).start());
    }
}
