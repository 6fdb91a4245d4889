package dev.winch.common.runtime;

import dev.winch.common.config.ConfigException;
import dev.winch.common.config.ServiceConfig;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a service process starts: read and validate the configuration (exit 2 with one line naming the
 * variable when it is wrong), set up logging, start the runtime and the service, install the SIGTERM hook.
 * {@code System.getenv()} is read by the service's {@code main} only and handed in here.
 */
public final class ServiceMain {

    /** Exit status for a configuration error. */
    public static final int EXIT_CONFIG = 2;
    /** Exit status for a failure to start. */
    public static final int EXIT_START = 1;

    /** Starts a service on a runtime: consumers, servers, clients. Completes when it is ready to work. */
    @FunctionalInterface
    public interface Starter<C extends ServiceConfig> {
        Future<?> start(ServiceRuntime runtime, C config);
    }

    private ServiceMain() {
    }

    /**
     * Starts the management server on {@code managementHost}, then the service. The starter is called on an event loop; what blocks at start
     * runs on the worker pool: creating the Kafka producer (it resolves the bootstrap addresses and registers its
     * MBeans) here, building clients in the starter ({@code KubernetesClients.starter}).
     */
    public static <C extends ServiceConfig> Future<?> start(ServiceRuntime runtime, String managementHost, C config,
            Starter<C> starter) {
        return runtime.startManagement(managementHost)
                .compose(port -> runtime.blocking().call(runtime::publisher))
                .compose(publisher -> starter.start(runtime, config));
    }

    /**
     * The line a service logs once started, with its whole configuration: secrets print as {@code ******}
     * ({@link dev.winch.common.config.Secret}, and the {@code KAFKA_*} settings that may hold one).
     */
    public static String startedLine(ServiceConfig config, int managementPort) {
        return config.runtime().serviceName() + " started; management on port " + managementPort
                + "; configuration " + config;
    }

    public static <C extends ServiceConfig> void run(Map<String, String> environment,
            Function<Map<String, String>, C> readConfig, Starter<C> starter) {
        C config;
        try {
            config = readConfig.apply(environment);
        } catch (ConfigException e) {
            System.err.println("invalid configuration: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        Logging.configure(config.runtime().logFormat());
        Logger log = LoggerFactory.getLogger(ServiceMain.class);
        ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("{} stopping", config.runtime().serviceName());
            try {
                runtime.close().await(config.runtime().shutdownTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.warn("Shutdown did not complete cleanly: {}", e.toString());
            }
            Logging.flush();
        }, "winch-shutdown"));
        start(runtime, config.runtime().managementHost(), config, starter)
                .onSuccess(v -> {
                    runtime.markStarted();
                    log.info(startedLine(config, runtime.managementPort()));
                })
                .onFailure(e -> {
                    log.error("{} failed to start: {}", config.runtime().serviceName(), e.toString(), e);
                    runtime.close().onComplete(ar -> System.exit(EXIT_START));
                });
    }
}
