package dev.winch.scaler;

import dev.winch.common.kubernetes.KubernetesClients;
import dev.winch.common.runtime.ServiceMain;

/** Starts the scaler process. */
public final class ScalerMain {

    private ScalerMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), ScalerConfig::fromEnv,
                (runtime, config) -> new ScalerService(runtime, KubernetesClients.fromEnvironment(), config).start());
    }
}
