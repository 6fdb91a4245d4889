package dev.winch.upgrader;

import dev.winch.common.runtime.ServiceMain;
import dev.winch.kubernetes.KubernetesClients;

/** Starts the upgrader process. */
public final class UpgraderMain {

    private UpgraderMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), UpgraderConfig::fromEnv, starter(KubernetesClients::fromEnvironment));
    }

    /** Builds the client with {@code clients} on the worker pool, then starts the upgrader with it. */
    static ServiceMain.Starter<UpgraderConfig> starter(KubernetesClients.Factory clients) {
        return KubernetesClients.starter(clients, (runtime, config, client) -> new UpgraderService(runtime, config, client).start());
    }
}
