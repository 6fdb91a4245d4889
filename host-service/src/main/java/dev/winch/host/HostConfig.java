package dev.winch.host;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.config.ServiceConfig;
import java.util.Map;

/** The host service's configuration. */
public record HostConfig(RuntimeConfig runtime) implements ServiceConfig {

    public static HostConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        HostConfig config = new HostConfig(RuntimeConfig.fromEnv("host", env));
        env.validate();
        return config;
    }
}
