package dev.winch.scaler;

import dev.winch.common.runtime.ServiceMain;
import dev.winch.kubernetes.KubernetesClients;

/** Starts the scaler process. */
public final class ScalerMain {

    private ScalerMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), ScalerConfig::fromEnv, starter(KubernetesClients::fromEnvironment));
    }

    /** Builds the client with {@code clients} on the worker pool, then starts the scaler with it. */
    static ServiceMain.Starter<ScalerConfig> starter(KubernetesClients.Factory clients) {
        return KubernetesClients.starter(clients, (runtime, config, client) -> new ScalerService(runtime, client, config).start());
    }
}
