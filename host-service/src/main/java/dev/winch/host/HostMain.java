package dev.winch.host;

import dev.winch.common.kubernetes.KubernetesClients;
import dev.winch.common.runtime.ServiceMain;

/** Starts the host service process. */
public final class HostMain {

    private HostMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), HostConfig::fromEnv,
                (runtime, config) -> new HostService(runtime, KubernetesClients.fromEnvironment()).start());
    }
}
