package dev.winch.scaler;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.config.ServiceConfig;
import java.util.Map;

/** The scaler's configuration: the common runtime settings; the cluster comes from KUBECONFIG or in-cluster. */
public record ScalerConfig(RuntimeConfig runtime) implements ServiceConfig {

    public static ScalerConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        ScalerConfig config = new ScalerConfig(RuntimeConfig.fromEnv("scaler", env));
        env.validate();
        return config;
    }
}
