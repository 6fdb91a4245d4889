package dev.winch.host;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.kubernetes.KubernetesConfig;
import dev.winch.kubernetes.KubernetesServiceConfig;
import java.util.Map;

/** The host service's configuration. */
public record HostConfig(RuntimeConfig runtime, KubernetesConfig kubernetes) implements KubernetesServiceConfig {

    public static HostConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        RuntimeConfig runtime = RuntimeConfig.fromEnv("host", env);
        HostConfig config = new HostConfig(runtime, KubernetesConfig.fromEnv(env, runtime));
        env.validate();
        return config;
    }
}
