package dev.winch.host;

import dev.winch.common.runtime.ServiceMain;
import dev.winch.kubernetes.KubernetesClients;

/** Starts the host service process. */
public final class HostMain {

    private HostMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), HostConfig::fromEnv, starter(KubernetesClients::fromEnvironment));
    }

    /** Builds the client with {@code clients} on the worker pool, then starts the host service with it. */
    static ServiceMain.Starter<HostConfig> starter(KubernetesClients.Factory clients) {
        return KubernetesClients.starter(clients, (runtime, config, client) -> new HostService(runtime, client).start());
    }
}
