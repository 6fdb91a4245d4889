package dev.winch.upgrader;

import dev.winch.common.kubernetes.KubernetesClients;
import dev.winch.common.runtime.ServiceMain;

/** Starts the upgrader process. */
public final class UpgraderMain {

    private UpgraderMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), UpgraderConfig::fromEnv,
                (runtime, config) -> new UpgraderService(runtime, config, KubernetesClients.fromEnvironment()).start());
    }
}
