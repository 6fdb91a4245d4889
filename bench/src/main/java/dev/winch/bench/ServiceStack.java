package dev.winch.bench;

import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.kafka.TopicCreator;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.gateway.GatewayConfig;
import dev.winch.gateway.GatewayService;
import dev.winch.testkit.EmbeddedKafkaBroker;
import dev.winch.testkit.SandboxKubernetes;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The pieces the scaler and upgrader benchmarks share, in one JVM: a real KRaft broker (the testkit's
 * {@link EmbeddedKafkaBroker}) with Winch's topics created as the local stack creates them, the sandbox Kubernetes
 * API (fabric8 mock server, CRUD mode), the gateway, and worker services, each on its own {@link ServiceRuntime}
 * started as {@code ServiceMain} starts one (management server, service, marked started). Closing stops the
 * services last-started first, then the sandbox and the broker.
 */
final class ServiceStack implements AutoCloseable {

    /** As the local stack (LocalStack.createTopics): 3 partitions per event topic. */
    static final int PARTITIONS = 3;

    private final EmbeddedKafkaBroker kafka;
    private final SandboxKubernetes kubernetes;
    private final PrintStream progress;
    private final Deque<ServiceRuntime> runtimes = new ArrayDeque<>();

    private ServiceStack(EmbeddedKafkaBroker kafka, SandboxKubernetes kubernetes, PrintStream progress) {
        this.kafka = kafka;
        this.kubernetes = kubernetes;
        this.progress = progress;
    }

    static ServiceStack start(PrintStream progress) throws Exception {
        progress.println("[bench] starting the Kafka broker and the sandbox Kubernetes API");
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        SandboxKubernetes kubernetes;
        try {
            TopicCreator.createForSingleBroker(kafka.bootstrapServers(), PARTITIONS);
            kubernetes = SandboxKubernetes.start();
        } catch (Exception | Error e) {
            kafka.close();
            throw e;
        }
        return new ServiceStack(kafka, kubernetes, progress);
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The sandbox's own client: for seeding and reading; closed with the sandbox. */
    KubernetesClient kubernetes() {
        return kubernetes.client();
    }

    /**
     * A client of the sandbox of its own, for a service or a watch; the caller closes it (a service closes its
     * client on shutdown). Configured as the sandbox's own: never from ~/.kube/config.
     */
    KubernetesClient newKubernetesClient() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(kubernetes.url())
                .withNamespace("default")
                .withTrustCerts(true)
                .build()).build();
    }

    /**
     * The environment of a worker service: this broker, a free management port, its own consumer group, a short
     * retry backoff (nothing should fail here; if something does, the run should not sit in a 30 s backoff).
     */
    Map<String, String> workerEnv(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
        env.put("WINCH_MANAGEMENT_PORT", "0");
        env.put("WINCH_RETRY_BACKOFF", "50ms");
        env.putAll(extra);
        return env;
    }

    /** Starts the gateway with these settings (on top of this broker and free ports); returns its HTTP port. */
    int startGateway(Map<String, String> settings) throws Exception {
        Map<String, String> env = new HashMap<>(settings);
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
        env.put("WINCH_HTTP_PORT", "0");
        env.put("WINCH_MANAGEMENT_PORT", "0");
        GatewayConfig config = GatewayConfig.fromEnv(env);
        ServiceRuntime runtime = runtime(config.runtime());
        int port = new GatewayService(runtime, config).start().await(60, TimeUnit.SECONDS);
        runtime.markStarted();
        return port;
    }

    /** A runtime with its management server started, closed with the stack; the caller starts its service. */
    ServiceRuntime runtime(RuntimeConfig config) throws Exception {
        ServiceRuntime runtime = ServiceRuntime.create(config);
        runtimes.push(runtime);
        runtime.startManagement("127.0.0.1").await(30, TimeUnit.SECONDS);
        return runtime;
    }

    /** Waits for {@code condition}, checking every 10 ms; false when {@code timeoutMillis} passed first. */
    static boolean await(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Shutdown problems are reported, not fatal: the figures are already taken. */
    @Override
    public void close() {
        while (!runtimes.isEmpty()) {
            ServiceRuntime runtime = runtimes.pop();
            try {
                runtime.close().await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                progress.println("[bench] " + runtime.config().serviceName() + " did not close cleanly: " + e);
            }
        }
        try {
            kubernetes.close();
        } finally {
            kafka.close();
        }
    }
}
