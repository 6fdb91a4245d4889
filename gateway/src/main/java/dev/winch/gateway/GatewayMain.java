package dev.winch.gateway;

import dev.winch.common.runtime.ServiceMain;

/** Starts the gateway process. */
public final class GatewayMain {

    private GatewayMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), GatewayConfig::fromEnv,
                (runtime, config) -> new GatewayService(runtime, config).start());
    }
}
