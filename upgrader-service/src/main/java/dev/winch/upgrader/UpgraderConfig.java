package dev.winch.upgrader;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.config.ServiceConfig;
import java.util.Map;

/** The upgrader's configuration: the common runtime settings; the cluster comes from KUBECONFIG or in-cluster. */
public record UpgraderConfig(RuntimeConfig runtime) implements ServiceConfig {

    public static UpgraderConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        UpgraderConfig config = new UpgraderConfig(RuntimeConfig.fromEnv("upgrader", env));
        env.validate();
        return config;
    }
}
