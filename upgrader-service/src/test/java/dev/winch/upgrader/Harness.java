package dev.winch.upgrader;

import dev.winch.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.runtime.Blocking;
import dev.winch.common.runtime.ResultReporter;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.kubernetes.WorkloadKind;
import dev.winch.upgrader.kubernetes.KubernetesWorkloads;
import dev.winch.upgrader.kubernetes.WorkloadObjects;
import dev.winch.upgrader.kubernetes.Workloads;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The upgrader without Kafka, against the Kubernetes mock server: the push handler and the rollout tracker on a
 * Vert.x instance, results collected in a list, time on a {@link MutableClock}.
 */
final class Harness implements AutoCloseable {

    static final Instant START = Instant.parse("2025-06-03T08:00:00Z");
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    final Vertx vertx = Vertx.vertx();
    final SandboxKubernetes kubernetes = SandboxKubernetes.start();
    final MutableClock clock = new MutableClock(START);
    final List<ActionResult> results = new CopyOnWriteArrayList<>();
    final Workloads workloads;
    private final KubernetesClient upgraderClient;
    final RolloutTracker tracker;
    final PushHandler handler;
    private final WorkerExecutor executor = vertx.createSharedWorkerExecutor("upgrader-test", 4);
    private final Context context = vertx.getOrCreateContext();
    private int events;

    Harness() {
        this(100);
    }

    Harness(int maxTracked) {
        this(maxTracked, null);
    }

    /**
     * @param upgraderRequests sees every request the upgrader sends before it is sent (null: none), so a test can
     *                         make another change land between the upgrader's read and its write
     */
    Harness(int maxTracked, Interceptor upgraderRequests) {
        upgraderClient = upgraderRequests == null ? kubernetes.client() : new KubernetesClientBuilder()
                .withConfig(kubernetes.client().getConfiguration())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("test", upgraderRequests))
                .build();
        workloads = new KubernetesWorkloads(upgraderClient);
        Blocking blocking = new Blocking(executor, Duration.ofSeconds(20));
        ResultReporter sink = result -> {
            results.add(result);
            return Future.succeededFuture();
        };
        tracker = new RolloutTracker(vertx, blocking, workloads, sink, clock, Duration.ofHours(1), maxTracked,
                new SimpleMeterRegistry());
        handler = new PushHandler(blocking, workloads, sink, tracker, clock, DEFAULT_TIMEOUT, 3);
    }

    KubernetesClient client() {
        return kubernetes.client();
    }

    /** Handles a push with a fresh event id; returns the results it produced. */
    List<ActionResult> handle(ImagePushed push) {
        return handle("event-" + (++events), push);
    }

    /** Handles a push with the given event id; returns the results it produced. */
    List<ActionResult> handle(String eventId, ImagePushed push) {
        Event<ImagePushed> event = new Event<>(eventId, URI.create("/test"), clock.instant(), push);
        return collect(() -> handler.handle(event));
    }

    /** Polls every followed rollout once; returns the results that produced. */
    List<ActionResult> poll() {
        return collect(tracker::poll);
    }

    List<ActionResult> closeTracker() {
        return collect(tracker::close);
    }

    private List<ActionResult> collect(Supplier<Future<Void>> action) {
        int before = results.size();
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> action.get().onComplete(done));
        try {
            done.future().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the upgrader failed: " + e, e);
        }
        return new ArrayList<>(results.subList(before, results.size()));
    }

    // ---------------------------------------------------------------- workloads

    static Container container(String name, String image) {
        return new ContainerBuilder().withName(name).withImage(image).build();
    }

    Deployment deployment(String namespace, String name, Map<String, String> labels, Container... containers) {
        return client().apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                  .withReplicas(3)
                  .withNewSelector().withMatchLabels(Map.of("pod", name)).endSelector()
                  .withNewTemplate()
                    .withNewMetadata().withLabels(Map.of("pod", name)).endMetadata()
                    .withNewSpec().withContainers(Arrays.asList(containers)).endSpec()
                  .endTemplate()
                .endSpec()
                .build()).create();
    }

    StatefulSet statefulSet(String namespace, String name, Map<String, String> labels, Container... containers) {
        return client().apps().statefulSets().inNamespace(namespace).resource(new StatefulSetBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                  .withReplicas(3)
                  .withServiceName(name)
                  .withNewSelector().withMatchLabels(Map.of("pod", name)).endSelector()
                  .withNewTemplate()
                    .withNewMetadata().withLabels(Map.of("pod", name)).endMetadata()
                    .withNewSpec().withContainers(Arrays.asList(containers)).endSpec()
                  .endTemplate()
                .endSpec()
                .build()).create();
    }

    DaemonSet daemonSet(String namespace, String name, Map<String, String> labels, Container... containers) {
        return client().apps().daemonSets().inNamespace(namespace).resource(new DaemonSetBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                  .withNewSelector().withMatchLabels(Map.of("pod", name)).endSelector()
                  .withNewTemplate()
                    .withNewMetadata().withLabels(Map.of("pod", name)).endMetadata()
                    .withNewSpec().withContainers(Arrays.asList(containers)).endSpec()
                  .endTemplate()
                .endSpec()
                .build()).create();
    }

    HasMetadata get(WorkloadRef ref) {
        return WorkloadKind.of(ref.kind()).orElseThrow().get(client(), ref.namespace(), ref.name())
                .orElseThrow(() -> new AssertionError(ref + " does not exist"));
    }

    /** The images of the pod template, container name to image. */
    Map<String, String> images(WorkloadRef ref) {
        Map<String, String> images = new java.util.LinkedHashMap<>();
        WorkloadObjects.snapshot(get(ref)).containers().forEach(c -> images.put(c.name(), c.image()));
        return images;
    }

    String resourceVersion(WorkloadRef ref) {
        return get(ref).getMetadata().getResourceVersion();
    }

    static WorkloadRef ref(String namespace, String kind, String name) {
        return new WorkloadRef(namespace, kind, name);
    }

    static ActionResult only(List<ActionResult> results) {
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    @Override
    public void close() {
        if (upgraderClient != kubernetes.client()) {
            upgraderClient.close();
        }
        kubernetes.close();
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("Vert.x did not close", e);
        }
    }
}
