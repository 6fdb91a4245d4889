package dev.winch.gateway;

import dev.winch.common.runtime.ServiceRuntime;
import io.vertx.core.Future;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One gateway replica in this JVM, wired as {@code GatewayMain} wires it: its own runtime (Vert.x, producer,
 * management server on a free port) and the service on a free HTTP port.
 */
public final class RunningGateway implements AutoCloseable {

    private final GatewayConfig config;
    private final ServiceRuntime runtime;
    private final GatewayService service;
    private volatile int port = -1;

    private RunningGateway(GatewayConfig config) throws Exception {
        this.config = config;
        this.runtime = ServiceRuntime.create(config.runtime());
        runtime.startManagement("127.0.0.1").await(10, TimeUnit.SECONDS);
        this.service = new GatewayService(runtime, config);
    }

    /** A replica whose management server answers but whose service has not started. */
    public static RunningGateway prepare(String bootstrapServers, Map<String, String> env) throws Exception {
        // No warm-up unless a test asks for one: it would add seconds to every start and test nothing.
        Map<String, String> all = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrapServers,
                "WINCH_MANAGEMENT_PORT", "0",
                "WINCH_HTTP_PORT", "0",
                "WINCH_GATEWAY_WARMUP", "0"));
        all.putAll(env);
        return new RunningGateway(GatewayConfig.fromEnv(all));
    }

    /** A started, ready replica. */
    public static RunningGateway start(String bootstrapServers, Map<String, String> env) throws Exception {
        RunningGateway gateway = prepare(bootstrapServers, env);
        gateway.startService().await(30, TimeUnit.SECONDS);
        return gateway;
    }

    /** Starts the service; as in {@code ServiceMain}, the replica is marked started once that completes. */
    public Future<Integer> startService() {
        return service.start().onSuccess(p -> {
            port = p;
            runtime.markStarted();
        });
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + runtime.managementPort() + path);
    }

    public int port() {
        return port;
    }

    public GatewayConfig config() {
        return config;
    }

    public GatewayService service() {
        return service;
    }

    public ServiceRuntime runtime() {
        return runtime;
    }

    @Override
    public void close() throws Exception {
        runtime.close().await(30, TimeUnit.SECONDS);
    }
}
