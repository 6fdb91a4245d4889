package dev.winch.notifier;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.config.ServiceConfig;
import java.util.Map;

/** The notifier's configuration. Notification channels (SMTP, chat) are added with their sinks. */
public record NotifierConfig(RuntimeConfig runtime) implements ServiceConfig {

    public static NotifierConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        NotifierConfig config = new NotifierConfig(RuntimeConfig.fromEnv("notifier", env));
        env.validate();
        return config;
    }
}
