package dev.winch.host.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.winch.host.model.DrainReport;
import dev.winch.host.model.HostAnnotations;
import dev.winch.testkit.EvictionApi;
import dev.winch.testkit.MutableClock;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Draining Nodes against the mock API server with the test's own Eviction API and disruption budgets
 * ({@link EvictionApi}). The drain timeout is measured on a clock the tests move; retries come every 10 ms.
 */
class KubernetesNodeDrainerMockTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final String EVENT = "evt-1";

    private static Vertx vertx;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T12:00:00Z"));
    private EvictionApi api;
    private KubernetesClient client;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void startApi() {
        api = new EvictionApi();
        client = api.client();
    }

    @AfterEach
    void stopApi() {
        api.close();
    }

    @Test
    void evictsEveryPodOfTheNodeAndLeavesItCordoned() throws Exception {
        node("node-a", false);
        node("node-b", false);
        pod("demo", "web-1", "node-a");
        pod("demo", "web-2", "node-a");
        pod("demo", "web-3", "node-b");

        DrainReport report = result(drainer(3).drain("node-a", EVENT));

        assertThat(report.drained()).isTrue();
        assertThat(report.evicted()).containsExactlyInAnyOrder("demo/web-1", "demo/web-2");
        assertThat(report.blocked()).isEmpty();
        assertThat(podNames()).containsExactly("web-3");
        Node node = node("node-a");
        assertThat(node.getSpec().getUnschedulable()).isTrue();
        assertThat(node.getMetadata().getAnnotations())
                .containsEntry(HostAnnotations.DRAINING, EVENT)
                .doesNotContainKey(HostAnnotations.DRAIN_BLOCKED);
        assertThat(node("node-b").getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
    }

    /** Kubernetes 1.20 and 1.21 take evictions only as policy/v1beta1 (a policy/v1 one is a 400 there). */
    @Test
    void evictsAsTheApiServerTakesEvictionsWhereThatIsPolicyV1beta1() throws Exception {
        api.servesEvictionsAs("policy/v1beta1");
        node("node-a", false);
        pod("demo", "web-1", "node-a");
        pod("demo", "web-2", "node-a");

        DrainReport report = result(drainer(3).drain("node-a", EVENT));

        assertThat(report.drained()).as("%s", report).isTrue();
        assertThat(report.evicted()).containsExactlyInAnyOrder("demo/web-1", "demo/web-2");
        assertThat(api.evictions()).containsExactlyInAnyOrder("demo/web-1 201", "demo/web-2 201");
    }

    @Test
    void aPolicyV1EvictionIsRefusedWhereTheApiServerTakesOnlyV1beta1() throws Exception {
        api.servesEvictionsAs("policy/v1beta1");
        node("node-a", false);
        pod("demo", "web-1", "node-a");
        String body = "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"web-1\","
                + "\"namespace\":\"demo\"}}";

        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(api.url()
                        + "/api/v1/namespaces/demo/pods/web-1/eviction")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("no kind \\\"Eviction\\\" is registered for version \\\"policy/v1\\\"");
        assertThat(podNames()).contains("web-1");
    }

    @Test
    void leavesDaemonSetMirrorAndFinishedPodsAlone() throws Exception {
        node("node-a", false);
        pod("demo", "web-1", "node-a");
        client.pods().resource(new PodBuilder(podOn("kube-system", "fluentd-x7k2p", "node-a"))
                .editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                .withName("fluentd").withUid("ds-uid").withController(true).endOwnerReference().endMetadata()
                .build()).create();
        client.pods().resource(new PodBuilder(podOn("kube-system", "etcd-node-a", "node-a"))
                .editMetadata().addToAnnotations(KubernetesNodeDrainer.MIRROR_ANNOTATION, "5f1c").endMetadata()
                .build()).create();
        client.pods().resource(new PodBuilder(podOn("demo", "migrate-done", "node-a"))
                .withNewStatus().withPhase("Succeeded").endStatus().build()).create();

        DrainReport report = result(drainer(3).drain("node-a", EVENT));

        assertThat(report.drained()).isTrue();
        assertThat(report.evicted()).containsExactly("demo/web-1");
        assertThat(report.skipped()).containsExactlyInAnyOrder("kube-system/fluentd-x7k2p", "kube-system/etcd-node-a");
        assertThat(api.evictionsAskedFor()).containsExactly("demo/web-1");
        assertThat(podNames()).containsExactlyInAnyOrder("fluentd-x7k2p", "etcd-node-a", "migrate-done");
    }

    @Test
    void leavesTheNodeCordonedAndAnnotatedWhenABudgetBlocksEvictionUntilTheTimeout() throws Exception {
        node("node-a", false);
        pod("demo", "db-0", "node-a");
        pod("demo", "web-1", "node-a");
        api.block("demo/db-0", "db-pdb");

        Future<DrainReport> drain = drainer(3).drain("node-a", EVENT);
        await().atMost(10, TimeUnit.SECONDS).until(() -> api.refusals("demo/db-0") >= 3);
        assertThat(drain.isComplete()).as("still retrying before the timeout").isFalse();
        clock.advance(TIMEOUT);
        DrainReport report = result(drain);

        assertThat(report.drained()).isFalse();
        assertThat(report.evicted()).containsExactly("demo/web-1");
        assertThat(report.blocked()).containsOnlyKeys("demo/db-0");
        assertThat(report.blocked().get("demo/db-0"))
                .contains(EvictionApi.BUDGET_MESSAGE)
                .contains("db-pdb");
        assertThat(podNames()).containsExactly("db-0");
        Node node = node("node-a");
        assertThat(node.getSpec().getUnschedulable()).isTrue();
        assertThat(node.getMetadata().getAnnotations())
                .containsEntry(HostAnnotations.DRAINING, EVENT)
                .hasEntrySatisfying(HostAnnotations.DRAIN_BLOCKED, text -> assertThat(text)
                        .contains("demo/db-0").contains("disruption budget").contains("db-pdb")
                        .doesNotContain("web-1"));
    }

    @Test
    void drainsOnceTheBudgetLetsGoAfterTwoRefusals() throws Exception {
        node("node-a", false);
        pod("demo", "db-0", "node-a");
        api.refuse("demo/db-0", "db-pdb", 2);

        DrainReport report = result(drainer(3).drain("node-a", EVENT));

        assertThat(report.drained()).isTrue();
        assertThat(report.evicted()).containsExactly("demo/db-0");
        assertThat(api.evictions()).containsExactly("demo/db-0 429", "demo/db-0 429", "demo/db-0 201");
        assertThat(podNames()).isEmpty();
        assertThat(node("node-a").getMetadata().getAnnotations()).doesNotContainKey(HostAnnotations.DRAIN_BLOCKED);
    }

    @Test
    void takesAPodDeletedBeforeItsEvictionAsGone() throws Exception {
        node("node-a", false);
        pod("demo", "job-1", "node-a");
        pod("demo", "web-1", "node-a");
        api.deleteBeforeEviction("demo/job-1");

        DrainReport report = result(drainer(3).drain("node-a", EVENT));

        assertThat(report.drained()).isTrue();
        assertThat(api.evictions()).contains("demo/job-1 404");
        assertThat(report.evicted()).containsExactly("demo/web-1");
        assertThat(report.blocked()).isEmpty();
    }

    @Test
    void drainsSeveralNodesAtOnceButNeverMoreThanTheBound() throws Exception {
        List<String> nodes = List.of("node-1", "node-2", "node-3", "node-4", "node-5");
        for (String name : nodes) {
            node(name, false);
            pod("demo", "web-" + name, name);
            api.block("demo/web-" + name, "web-pdb");
        }

        Future<List<DrainReport>> drains = drainer(2).drainAll(nodes, EVENT);

        // Two drains run and retry; the other three wait for a free slot, untouched.
        await().atMost(10, TimeUnit.SECONDS).until(() -> api.refusals("demo/web-node-1") >= 2
                && api.refusals("demo/web-node-2") >= 2);
        assertThat(cordoned(nodes)).containsExactly("node-1", "node-2");
        assertThat(api.evictionsAskedFor()).containsExactlyInAnyOrder("demo/web-node-1", "demo/web-node-2");

        // One finishes: the next one takes its slot, and still only two run.
        api.release("demo/web-node-1");
        await().atMost(10, TimeUnit.SECONDS).until(() -> api.refusals("demo/web-node-3") >= 2);
        assertThat(cordoned(nodes)).containsExactly("node-1", "node-2", "node-3");
        assertThat(api.evictionsAskedFor()).doesNotContain("demo/web-node-4", "demo/web-node-5");

        nodes.forEach(name -> api.release("demo/web-" + name));
        List<DrainReport> reports = result(drains);

        assertThat(reports).extracting(DrainReport::node).containsExactlyElementsOf(nodes);
        assertThat(reports).allMatch(DrainReport::drained);
        assertThat(cordoned(nodes)).containsExactlyElementsOf(nodes);
        assertThat(podNames()).isEmpty();
    }

    @Test
    void drainsANodeCordonedBeforeAndClearsWhatAnEarlierDrainLeft() throws Exception {
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName("node-a")
                .addToAnnotations(HostAnnotations.DRAIN_BLOCKED, "drain timed out after PT5M, 1 pod left: demo/db-0")
                .endMetadata()
                .withNewSpec().withUnschedulable(true).endSpec()
                .build()).create();
        pod("demo", "db-0", "node-a");

        DrainReport report = result(drainer(3).drain("node-a", EVENT));

        assertThat(report.drained()).isTrue();
        assertThat(report.evicted()).containsExactly("demo/db-0");
        Node node = node("node-a");
        assertThat(node.getSpec().getUnschedulable()).isTrue();
        assertThat(node.getMetadata().getAnnotations())
                .containsEntry(HostAnnotations.DRAINING, EVENT)
                .doesNotContainKey(HostAnnotations.DRAIN_BLOCKED);
    }

    @Test
    void writesNothingWhenTheNodeIsDrainedAgainForTheSameEvent() throws Exception {
        node("node-a", false);
        pod("demo", "web-1", "node-a");
        KubernetesNodeDrainer drainer = drainer(3);
        result(drainer.drain("node-a", EVENT));
        String resourceVersion = node("node-a").getMetadata().getResourceVersion();

        DrainReport again = result(drainer.drain("node-a", EVENT));

        assertThat(again.drained()).isTrue();
        assertThat(again.evicted()).isEmpty();
        assertThat(node("node-a").getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
        assertThat(node("node-a").getMetadata().getAnnotations()).containsEntry(HostAnnotations.DRAINING, EVENT);
    }

    @Test
    void reportsANodeThatDoesNotExistAsDrainedWithNothingEvicted() throws Exception {
        pod("demo", "web-1", "node-b");

        DrainReport report = result(drainer(3).drain("node-gone", EVENT));

        assertThat(report).isEqualTo(new DrainReport("node-gone", true, List.of(), List.of(), Map.of()));
        assertThat(api.evictions()).isEmpty();
        assertThat(podNames()).containsExactly("web-1");
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> new KubernetesNodeDrainer(client, vertx, Duration.ZERO, Duration.ofSeconds(5), 3,
                clock)).hasMessageContaining("drain timeout");
        assertThatThrownBy(() -> new KubernetesNodeDrainer(client, vertx, TIMEOUT, Duration.ofSeconds(-1), 3,
                clock)).hasMessageContaining("drain retry interval");
        assertThatThrownBy(() -> new KubernetesNodeDrainer(client, vertx, TIMEOUT, Duration.ofSeconds(5), 0,
                clock)).hasMessageContaining("drain concurrency");
    }

    private KubernetesNodeDrainer drainer(int concurrency) {
        return new KubernetesNodeDrainer(client, vertx, TIMEOUT, Duration.ofMillis(10), concurrency, clock);
    }

    private static <T> T result(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void node(String name, boolean unschedulable) {
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName(name).addToLabels("winch.dev/group", "workers").endMetadata()
                .withNewSpec().withUnschedulable(unschedulable ? Boolean.TRUE : null).endSpec()
                .build()).create();
    }

    private Node node(String name) {
        return client.nodes().withName(name).get();
    }

    private List<String> cordoned(List<String> nodes) {
        return nodes.stream()
                .filter(name -> Boolean.TRUE.equals(node(name).getSpec().getUnschedulable()))
                .toList();
    }

    private void pod(String namespace, String name, String node) {
        client.pods().resource(podOn(namespace, name, node)).create();
    }

    private static Pod podOn(String namespace, String name, String node) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("main").withImage("nginx:1.27").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").endStatus()
                .build();
    }

    private List<String> podNames() {
        return client.pods().inAnyNamespace().list().getItems().stream()
                .map(pod -> pod.getMetadata().getName())
                .toList();
    }
}
