package dev.winch.scaler.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.WorkloadRef;
import dev.winch.common.runtime.Blocking;
import dev.winch.scaler.kubernetes.HorizontalPodAutoscalers.ApiVersion;
import dev.winch.testkit.MutableClock;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.ServedApiVersions;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which {@code autoscaling} version the HPA check reads, how long it trusts a discovery, and what it does when the
 * served versions change or discovery fails, against the mock server answering as API servers of different ages.
 */
class HorizontalPodAutoscalersMockTest {

    private static final String NS = "demo";
    private static final WorkloadRef WEB = new WorkloadRef(NS, "deployment", "web");

    private static Vertx vertx;
    private static Blocking blocking;

    private final ServedApiVersions versions = new ServedApiVersions();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T12:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private SandboxKubernetes kubernetes;
    private KubernetesClient client;
    private HorizontalPodAutoscalers autoscalers;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        blocking = new Blocking(vertx.createSharedWorkerExecutor("hpa-mock-test", 2), Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopKubernetes() {
        kubernetes.close();
    }

    @Test
    void readsThroughV2beta2WhenTheServerServesNoV2() throws Exception {
        start("v1", "v2beta1", "v2beta2");
        Hpas.createV2beta2(client, NS, "web-cpu", "Deployment", "web");

        assertThat(managing(WEB)).contains("web-cpu");
        assertThat(autoscalers.servedVersion()).contains(ApiVersion.V2BETA2);
    }

    @Test
    void readsThroughV1WhenThatIsAllTheServerServes() throws Exception {
        start("v1");
        Hpas.createV1(client, NS, "web-cpu", "Deployment", "web");

        assertThat(managing(WEB)).contains("web-cpu");
        assertThat(autoscalers.servedVersion()).contains(ApiVersion.V1);
    }

    @Test
    void findsNoHpaAndNoErrorWhenTheServerServesNoAutoscalingApi() throws Exception {
        start();

        assertThat(managing(WEB)).isEmpty();
        assertThat(autoscalers.servedVersion()).isEmpty();
    }

    @Test
    void discoversOnceAndAgainOnlyAfterTheRefreshInterval() throws Exception {
        start("v1");
        managing(WEB);
        managing(WEB);
        assertThat(versions.discoveries()).isEqualTo(1);

        // The cluster is upgraded and serves v2; the scaler notices at its next discovery, not before.
        versions.serve("autoscaling", "v2", "v1");
        clock.advance(HorizontalPodAutoscalers.REDISCOVER_AFTER.minusSeconds(1));
        managing(WEB);
        assertThat(versions.discoveries()).isEqualTo(1);
        assertThat(autoscalers.servedVersion()).contains(ApiVersion.V1);

        clock.advance(Duration.ofSeconds(1));
        managing(WEB);
        assertThat(versions.discoveries()).isEqualTo(2);
        assertThat(autoscalers.servedVersion()).contains(ApiVersion.V2);
    }

    @Test
    void rediscoversAtOnceWhenTheVersionInUseIsNoLongerServed() throws Exception {
        start("v2beta2", "v1");
        assertThat(managing(WEB)).isEmpty();
        assertThat(autoscalers.servedVersion()).contains(ApiVersion.V2BETA2);

        // Kubernetes 1.26 stopped serving v2beta2: an upgrade must not leave the check reading a 404 for 10 minutes.
        versions.serve("autoscaling", "v2", "v1");
        Hpas.createV2(client, NS, "web-cpu", "Deployment", "web");

        assertThat(managing(WEB)).contains("web-cpu");
        assertThat(autoscalers.servedVersion()).contains(ApiVersion.V2);
    }

    @Test
    void triesEachVersionWhenDiscoveryFailsAndCountsTheFailure() throws Exception {
        start("v2beta2", "v1");
        versions.failDiscovery("autoscaling", true);
        Hpas.createV2beta2(client, NS, "web-cpu", "Deployment", "web");

        assertThat(managing(WEB)).contains("web-cpu");
        assertThat(registry.counter("winch_scaler_hpa_discovery_failures_total").count()).isEqualTo(1);
        assertThat(versions.discoveries()).as("discovery is asked once, not retried").isEqualTo(1);

        // A failed discovery is not trusted: the next check asks again, and keeps the answer once it comes.
        versions.failDiscovery("autoscaling", false);
        assertThat(managing(WEB)).contains("web-cpu");
        managing(WEB);
        assertThat(versions.discoveries()).isEqualTo(2);
        assertThat(registry.counter("winch_scaler_hpa_discovery_failures_total").count()).isEqualTo(1);
    }

    private void start(String... autoscalingVersions) {
        versions.serve("autoscaling", autoscalingVersions);
        kubernetes = SandboxKubernetes.start(versions);
        client = kubernetes.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
        autoscalers = new HorizontalPodAutoscalers(client, blocking, clock, registry);
    }

    private Optional<String> managing(WorkloadRef ref) throws Exception {
        return autoscalers.managing(ref).await(20, TimeUnit.SECONDS);
    }
}
