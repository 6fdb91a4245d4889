package dev.winch.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.runtime.ServiceMain;
import dev.winch.common.runtime.ServiceRuntime;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The start path of a service that acts on Kubernetes, as {@code ServiceMain} runs it: the management server,
 * then the starter on an event loop. Building the client blocks (files, the HTTP client: 7.8 s on a loaded
 * machine once), so it must happen on the worker pool.
 */
class KubernetesClientsStartTest {

    /** A service config of the shape the scaler, upgrader and host service have. */
    private record ServiceSettings(RuntimeConfig runtime, KubernetesConfig kubernetes)
            implements KubernetesServiceConfig {

        static ServiceSettings fromEnv(Map<String, String> variables) {
            Env env = new Env(variables);
            RuntimeConfig runtime = RuntimeConfig.fromEnv("kubetest", env);
            ServiceSettings settings = new ServiceSettings(runtime, KubernetesConfig.fromEnv(env, runtime));
            env.validate();
            return settings;
        }
    }

    /** Where a step of the start ran. */
    private record Seen(String thread, boolean eventLoop) {
        static Seen here() {
            return new Seen(Thread.currentThread().getName(), Context.isOnEventLoopThread());
        }
    }

    private final ServiceSettings settings = ServiceSettings.fromEnv(Map.of(
            // Nothing listens there; creating the producer does not connect.
            "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9",
            "WINCH_MANAGEMENT_PORT", "0",
            "WINCH_KUBERNETES_CONNECT_TIMEOUT", "3s",
            "WINCH_KUBERNETES_REQUEST_TIMEOUT", "7s"));
    private final ServiceRuntime runtime = ServiceRuntime.create(settings.runtime());

    @AfterEach
    void closeRuntime() throws Exception {
        runtime.close().await(30, TimeUnit.SECONDS);
    }

    @Test
    void buildsTheClientOnTheWorkerPoolAndStartsTheServiceWithIt() throws Exception {
        AtomicReference<Seen> built = new AtomicReference<>();
        AtomicReference<KubernetesConfig> askedFor = new AtomicReference<>();
        AtomicReference<Seen> started = new AtomicReference<>();
        AtomicReference<KubernetesClient> startedWith = new AtomicReference<>();
        KubernetesClient client = unreachableClient();

        ServiceMain.start(runtime, "127.0.0.1", settings, KubernetesClients.<ServiceSettings>starter(
                kubernetes -> {
                    built.set(Seen.here());
                    askedFor.set(kubernetes);
                    return client;
                },
                (rt, config, c) -> {
                    started.set(Seen.here());
                    startedWith.set(c);
                    KubernetesClients.attach(rt, c);
                    return Future.succeededFuture();
                })).await(30, TimeUnit.SECONDS);

        assertThat(built.get().eventLoop()).as("built on an event loop: %s", built.get()).isFalse();
        assertThat(built.get().thread()).startsWith("winch-kubetest-blocking");
        assertThat(askedFor.get()).isEqualTo(new KubernetesConfig(Duration.ofSeconds(3), Duration.ofSeconds(7)));
        assertThat(startedWith.get()).isSameAs(client);
        // The service itself starts on the event loop, where its consumers and timers belong.
        assertThat(started.get().eventLoop()).isTrue();
    }

    @Test
    void failsTheStartWithTheReasonWhenTheClientCannotBeBuilt() {
        AtomicReference<Boolean> serviceStarted = new AtomicReference<>(false);

        Future<?> start = ServiceMain.start(runtime, "127.0.0.1", settings, KubernetesClients.<ServiceSettings>starter(
                kubernetes -> {
                    throw new IllegalStateException("no kubeconfig and not in a cluster");
                },
                (rt, config, c) -> {
                    serviceStarted.set(true);
                    return Future.succeededFuture();
                }));

        assertThatThrownBy(() -> start.await(30, TimeUnit.SECONDS))
                .hasMessageContaining("no kubeconfig and not in a cluster");
        assertThat(serviceStarted.get()).isFalse();
    }

    @Test
    void theClientFromTheEnvironmentHasTheConfiguredTimeouts() {
        try (KubernetesClient client = KubernetesClients.fromEnvironment(
                new KubernetesConfig(Duration.ofMillis(2500), Duration.ofSeconds(12)))) {
            assertThat(client.getConfiguration().getConnectionTimeout()).isEqualTo(2500);
            assertThat(client.getConfiguration().getRequestTimeout()).isEqualTo(12_000);
        }
    }

    private static KubernetesClient unreachableClient() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:9").build()).build();
    }
}
