package dev.winch.gateway;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.config.Secret;
import dev.winch.common.config.ServiceConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's configuration.
 *
 * @param httpPort      {@code WINCH_HTTP_PORT}: webhooks and the admin API
 * @param receiversFile {@code WINCH_RECEIVERS_FILE}: receivers declared in a YAML or JSON file
 * @param adminToken    {@code WINCH_ADMIN_TOKEN}: bearer token of the admin API
 * @param maxBodyBytes  {@code WINCH_MAX_BODY_BYTES}: larger requests get 413
 */
public record GatewayConfig(
        RuntimeConfig runtime,
        int httpPort,
        Optional<Path> receiversFile,
        Optional<Secret> adminToken,
        int maxBodyBytes) implements ServiceConfig {

    public static GatewayConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        GatewayConfig config = new GatewayConfig(
                RuntimeConfig.fromEnv("gateway", env),
                env.port("WINCH_HTTP_PORT", 8080),
                env.readableFile("WINCH_RECEIVERS_FILE"),
                env.secret("WINCH_ADMIN_TOKEN"),
                env.integer("WINCH_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024));
        env.validate();
        return config;
    }
}
