package dev.winch.host.kubernetes;

import dev.winch.common.runtime.Blocking;
import dev.winch.host.model.DrainReport;
import dev.winch.host.model.HostAnnotations;
import dev.winch.kubernetes.OptimisticUpdate;
import dev.winch.kubernetes.OptimisticUpdate.Decision;
import dev.winch.kubernetes.UpdateResult;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeDrainer} on the fabric8 client, doing what {@code kubectl drain} does.
 *
 * <p>One drain: cordon the Node and annotate it {@link HostAnnotations#DRAINING} in one resourceVersion-checked
 * update; list its pods; leave DaemonSet-owned and mirror (static) pods, which the kubelet or the DaemonSet
 * controller would put straight back, and finished pods (Succeeded, Failed), which run nothing and go with the Node;
 * ask the Eviction API to evict every other pod; every retry interval, ask again for the pods it refused (429: a
 * PodDisruptionBudget allows no disruption now) and look whether the evicted pods are gone; stop when every pod is
 * gone or the drain timeout (measured on the injected clock) has passed. A drain that timed out leaves the Node
 * cordoned and annotated {@link HostAnnotations#DRAIN_BLOCKED} with the pods that blocked it and the API server's
 * reasons; a drain that finished removes a {@code drain-blocked} annotation an earlier attempt left.
 *
 * <p>A Node that does not exist has nothing on it to evict: its drain is reported drained, with nothing evicted, so
 * a redelivered removal whose Node was already deleted goes on to its next step.
 *
 * <p>The eviction is a POST of an Eviction ({@code policy/v1}, or {@code policy/v1beta1} where discovery says the API
 * server takes only that, as 1.20 and 1.21 do) to the pod's {@code eviction} subresource sent through
 * the client's own HTTP client (its authentication included), not fabric8's {@code evict()}: that answers a 429 with
 * {@code false} (after retrying it for a long while on its own) and drops the API server's reason, which is what the
 * report and the annotation must name. The
 * eviction carries the pod's uid as a precondition, so a later pod of the same name (a StatefulSet's) is never
 * evicted in its place.
 *
 * <p>No thread waits: each step is one call on a worker pool of {@code concurrency} threads, and the waits between
 * steps are timers.
 */
public final class KubernetesNodeDrainer implements NodeDrainer {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesNodeDrainer.class);

    /** On a mirror pod: the API server's copy of a static pod the kubelet runs from a file. */
    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
    /** Annotations are limited in size; the text is for people, the report carries every pod. */
    static final int MAX_BLOCKED_TEXT = 1000;
    /** A single API call is bounded by the drain timeout, but never by less than this. */
    private static final Duration MIN_CALL_BOUND = Duration.ofSeconds(10);

    private static final String DEFAULT_EVICTION_API_VERSION = "policy/v1";

    private final KubernetesClient client;
    private final Vertx vertx;
    private final Duration timeout;
    private final Duration retryInterval;
    private final int concurrency;
    private final Clock clock;
    private final Blocking blocking;
    private final Duration callBound;
    private final OptimisticUpdate updates;
    private final HttpClient evictions;
    /** The Eviction kind's apiVersion the API server takes, once discovery said it; null until then. */
    private volatile String evictionApiVersion;

    public KubernetesNodeDrainer(KubernetesClient client, Vertx vertx, Duration timeout, Duration retryInterval,
            int concurrency, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.timeout = positive(timeout, "drain timeout");
        this.retryInterval = positive(retryInterval, "drain retry interval");
        if (concurrency < 1) {
            throw new IllegalArgumentException("drain concurrency must be at least 1, got " + concurrency);
        }
        this.concurrency = concurrency;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.callBound = timeout.compareTo(MIN_CALL_BOUND) > 0 ? timeout : MIN_CALL_BOUND;
        this.blocking = new Blocking(vertx.createSharedWorkerExecutor("winch-host-drain", concurrency,
                callBound.toMillis(), TimeUnit.MILLISECONDS), callBound);
        this.updates = new OptimisticUpdate(client);
        // fabric8 retries a 429 by itself, with a growing backoff (up to minutes): the drain does its own retries
        // at the configured interval and must see each refusal, so its evictions are sent without that retry.
        this.evictions = client.getHttpClient().newBuilder()
                .tag(new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build();
    }

    @Override
    public Future<DrainReport> drain(String node, String eventId) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(eventId, "eventId");
        Instant deadline = clock.instant().plus(timeout);
        return blocking.call(() -> cordon(node, eventId)).compose(found -> {
            if (!found) {
                LOG.info("event {}: Node {} does not exist, nothing to drain", eventId, node);
                return Future.succeededFuture(new DrainReport(node, true, List.of(), List.of(), Map.of()));
            }
            Drain drain = new Drain(node, eventId, deadline);
            return blocking.run(drain::listPods).compose(v -> drain.round());
        });
    }

    @Override
    public Future<List<DrainReport>> drainAll(List<String> nodes, String eventId) {
        List<String> order = List.copyOf(nodes);
        AtomicReferenceArray<DrainReport> reports = new AtomicReferenceArray<>(order.size());
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Future<Void>> lanes = new ArrayList<>();
        for (int lane = 0; lane < Math.min(concurrency, order.size()); lane++) {
            lanes.add(lane(order, eventId, reports, next, failure));
        }
        return Future.join(lanes).transform(ignored -> {
            if (failure.get() != null) {
                return Future.failedFuture(failure.get());
            }
            List<DrainReport> inOrder = new ArrayList<>(order.size());
            for (int i = 0; i < order.size(); i++) {
                inOrder.add(reports.get(i));
            }
            return Future.succeededFuture(List.copyOf(inOrder));
        });
    }

    /** Drains the next Node nobody took yet, then the one after, until none is left or a drain failed. */
    private Future<Void> lane(List<String> order, String eventId, AtomicReferenceArray<DrainReport> reports,
            AtomicInteger next, AtomicReference<Throwable> failure) {
        if (failure.get() != null) {
            return Future.succeededFuture();
        }
        int index = next.getAndIncrement();
        if (index >= order.size()) {
            return Future.succeededFuture();
        }
        return drain(order.get(index), eventId).transform(drained -> {
            if (drained.succeeded()) {
                reports.set(index, drained.result());
            } else {
                failure.compareAndSet(null, new IllegalStateException(
                        "draining Node " + order.get(index) + " failed: " + drained.cause().getMessage(),
                        drained.cause()));
            }
            return lane(order, eventId, reports, next, failure);
        });
    }

    /** Cordons and annotates the Node; false when it does not exist. Blocking. */
    private boolean cordon(String node, String eventId) {
        Node read = client.nodes().withName(node).get();
        if (read == null) {
            return false;
        }
        UpdateResult<Node, String> result = updates.update(read, current -> cordonPlan(current, eventId));
        if (result instanceof UpdateResult.Written<Node, String>) {
            LOG.info("event {}: cordoned Node {}", eventId, node);
            return true;
        }
        if (result instanceof UpdateResult.Conflict<Node, String> conflict) {
            throw new IllegalStateException("Node " + node + " changed on each of " + conflict.attempts()
                    + " attempts to cordon it: " + conflict.message());
        }
        if (result instanceof UpdateResult.Rejected<Node, String> rejected) {
            throw new IllegalStateException("the API server refused to cordon Node " + node + " ("
                    + rejected.status() + "): " + rejected.message());
        }
        return result instanceof UpdateResult.Unchanged<Node, String>;
    }

    /**
     * Unschedulable, and {@link HostAnnotations#DRAINING} = {@code eventId}; nothing to write when both are so
     * already (a redelivered event, or a drain tried again). A Node draining for another event is taken over: the
     * annotation names the event that chose it last.
     */
    static Decision<Node, String> cordonPlan(Node node, String eventId) {
        Map<String, String> annotations = annotations(node);
        boolean cordoned = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        if (cordoned && eventId.equals(annotations.get(HostAnnotations.DRAINING))) {
            return Decision.nothing("already cordoned for this event");
        }
        if (node.getSpec() == null) {
            node.setSpec(new NodeSpec());
        }
        node.getSpec().setUnschedulable(true);
        Map<String, String> changed = new HashMap<>(annotations);
        changed.put(HostAnnotations.DRAINING, eventId);
        node.getMetadata().setAnnotations(changed);
        return Decision.write(node, "cordoned");
    }

    /** Sets {@link HostAnnotations#DRAIN_BLOCKED} to {@code text}, or removes it when {@code text} is null. */
    static Decision<Node, String> blockedPlan(Node node, String text) {
        Map<String, String> annotations = annotations(node);
        if (Objects.equals(annotations.get(HostAnnotations.DRAIN_BLOCKED), text)) {
            return Decision.nothing("annotated already");
        }
        Map<String, String> changed = new HashMap<>(annotations);
        if (text == null) {
            changed.remove(HostAnnotations.DRAIN_BLOCKED);
        } else {
            changed.put(HostAnnotations.DRAIN_BLOCKED, text);
        }
        node.getMetadata().setAnnotations(changed);
        return Decision.write(node, text == null ? "unblocked" : "blocked");
    }

    /** What the {@link HostAnnotations#DRAIN_BLOCKED} annotation says: the blocking pods and why, bounded. */
    static String blockedText(Duration timeout, Map<String, String> blocked) {
        String text = "drain timed out after " + timeout + ", " + blocked.size()
                + (blocked.size() == 1 ? " pod" : " pods") + " left: "
                + blocked.entrySet().stream()
                        .map(e -> e.getKey() + " (" + e.getValue() + ")")
                        .collect(Collectors.joining("; "));
        return text.length() <= MAX_BLOCKED_TEXT ? text : text.substring(0, MAX_BLOCKED_TEXT - 1) + "…";
    }

    private static Map<String, String> annotations(Node node) {
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    private static Duration positive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
        return duration;
    }

    /** A pod as listed: enough to evict it and to recognise it (a later pod of the same name is another one). */
    private record PodRef(String namespace, String name, String uid) {
        String key() {
            return namespace + "/" + name;
        }
    }

    /**
     * The state of one Node's drain. Changed by one step at a time (each step runs after the previous one
     * completed), on a worker thread or a callback, never two at once.
     */
    private final class Drain {

        private final String node;
        private final String eventId;
        private final Instant deadline;
        /** Eviction not yet accepted, to the last reason it was refused for ("" before the first try). */
        private final Map<PodRef, String> pending = new LinkedHashMap<>();
        /** Eviction accepted, pod not yet gone. */
        private final List<PodRef> terminating = new ArrayList<>();
        private final List<String> evicted = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();

        Drain(String node, String eventId, Instant deadline) {
            this.node = node;
            this.eventId = eventId;
            this.deadline = deadline;
        }

        /** Blocking. The field selector is the API server's; the check after it keeps a server that ignores it
         *  (or a pod bound elsewhere since) from draining pods of other Nodes. */
        void listPods() {
            List<Pod> pods = client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems();
            for (Pod pod : pods) {
                if (pod.getSpec() == null || !node.equals(pod.getSpec().getNodeName())) {
                    continue;
                }
                PodRef ref = new PodRef(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                        pod.getMetadata().getUid());
                if (isDaemonSetPod(pod) || isMirrorPod(pod)) {
                    skipped.add(ref.key());
                } else if (!isFinished(pod)) {
                    pending.put(ref, "");
                }
            }
            LOG.info("event {}: Node {}: {} pods to evict, {} left in place", eventId, node, pending.size(),
                    skipped.size());
        }

        /** One attempt at every pod still there; done, or the next attempt after the retry interval. */
        Future<DrainReport> round() {
            return blocking.call(this::attempt).compose(v -> {
                if (pending.isEmpty() && terminating.isEmpty()) {
                    return finish(true);
                }
                if (!clock.instant().isBefore(deadline)) {
                    return finish(false);
                }
                return vertx.timer(retryInterval.toMillis(), TimeUnit.MILLISECONDS).compose(t -> round());
            });
        }

        /** Blocking: asks again for each pending eviction, then looks which evicted pods are gone. */
        private Void attempt() throws Exception {
            for (PodRef pod : List.copyOf(pending.keySet())) {
                EvictionAnswer answer = evict(pod);
                switch (answer.outcome()) {
                    case EVICTED -> {
                        pending.remove(pod);
                        evicted.add(pod.key());
                        terminating.add(pod);
                    }
                    case GONE -> pending.remove(pod);
                    case REFUSED -> {
                        if (stillThere(pod)) {
                            pending.put(pod, answer.reason());
                        } else {
                            pending.remove(pod);
                        }
                    }
                }
            }
            terminating.removeIf(pod -> !stillThere(pod));
            return null;
        }

        private Future<DrainReport> finish(boolean drained) {
            Map<String, String> blocked = new LinkedHashMap<>();
            pending.forEach((pod, reason) -> blocked.put(pod.key(), reason));
            terminating.forEach(pod -> blocked.put(pod.key(), "evicted, but still terminating"));
            DrainReport report = new DrainReport(node, drained, evicted, skipped, blocked);
            String text = drained ? null : blockedText(timeout, blocked);
            if (drained) {
                LOG.info("event {}: drained Node {}: {} pods evicted", eventId, node, evicted.size());
            } else {
                LOG.warn("event {}: Node {} left cordoned: {}", eventId, node, text);
            }
            // The report is what the caller needs; an annotation that could not be written is only logged.
            return blocking.run(() -> annotateBlocked(text))
                    .recover(error -> {
                        LOG.warn("event {}: Node {}: could not update its drain-blocked annotation: {}", eventId,
                                node, error.toString());
                        return Future.succeededFuture();
                    })
                    .map(report);
        }

        /** Blocking. */
        private void annotateBlocked(String text) {
            Node read = client.nodes().withName(node).get();
            if (read == null) {
                return;
            }
            UpdateResult<Node, String> result = updates.update(read, current -> blockedPlan(current, text));
            if (result instanceof UpdateResult.Conflict<Node, String> conflict) {
                LOG.warn("event {}: Node {}: could not write its drain-blocked annotation: {}", eventId, node,
                        conflict.message());
            } else if (result instanceof UpdateResult.Rejected<Node, String> rejected) {
                LOG.warn("event {}: Node {}: drain-blocked annotation refused: {}", eventId, node,
                        rejected.message());
            }
        }

        /** Blocking: the pod as listed is still there (not deleted, not replaced by another of the same name). */
        private boolean stillThere(PodRef pod) {
            Pod current = client.pods().inNamespace(pod.namespace()).withName(pod.name()).get();
            return current != null && Objects.equals(current.getMetadata().getUid(), pod.uid());
        }
    }

    private enum Outcome { EVICTED, GONE, REFUSED }

    private record EvictionAnswer(Outcome outcome, String reason) {
    }

    /**
     * Blocking: POSTs an Eviction for {@code pod}. 201 (or 200): evicted; 404: gone already; anything else (429 from
     * a PodDisruptionBudget, 409 when the uid no longer matches, 500 when several budgets cover the pod, 403
     * without RBAC) is a refusal, tried again until the timeout, with the API server's words as the reason.
     * Failures to reach the API server are thrown.
     */
    private EvictionAnswer evict(PodRef pod) throws Exception {
        Eviction eviction = new EvictionBuilder()
                .withNewMetadata().withName(pod.name()).withNamespace(pod.namespace()).endMetadata()
                .withDeleteOptions(new DeleteOptionsBuilder().withNewPreconditions().withUid(pod.uid())
                        .endPreconditions().build())
                .build();
        eviction.setApiVersion(evictionApiVersion());
        HttpRequest request = evictions.newHttpRequestBuilder()
                .url(new URL(URLUtils.join(client.getMasterUrl().toString(), "api", "v1", "namespaces",
                        pod.namespace(), "pods", pod.name(), "eviction")))
                .post("application/json", client.getKubernetesSerialization().asJson(eviction))
                .build();
        HttpResponse<String> response = evictions.sendAsync(request, String.class)
                .get(callBound.toMillis(), TimeUnit.MILLISECONDS);
        int code = response.code();
        if (code == 200 || code == 201) {
            return new EvictionAnswer(Outcome.EVICTED, "");
        }
        if (code == 404) {
            return new EvictionAnswer(Outcome.GONE, "");
        }
        return new EvictionAnswer(Outcome.REFUSED, reason(code, response.body()));
    }

    /**
     * Blocking: the apiVersion of the Eviction the API server takes, as discovery names the kind of the
     * {@code pods/eviction} subresource: {@code policy/v1} from Kubernetes 1.22, {@code policy/v1beta1} before
     * (a 1.20 or 1.21 API server answers a {@code policy/v1} Eviction with 400, as kubectl drain knows). Asked once;
     * when discovery does not say (or fails), {@code policy/v1}, and asked again next time.
     */
    private String evictionApiVersion() {
        String known = evictionApiVersion;
        if (known != null) {
            return known;
        }
        try {
            APIResourceList core = client.getApiResources("v1");
            if (core != null && core.getResources() != null) {
                for (APIResource resource : core.getResources()) {
                    if ("pods/eviction".equals(resource.getName()) && resource.getGroup() != null
                            && resource.getVersion() != null) {
                        known = resource.getGroup() + "/" + resource.getVersion();
                        evictionApiVersion = known;
                        LOG.info("The API server takes evictions as {}", known);
                        return known;
                    }
                }
            }
        } catch (KubernetesClientException e) {
            LOG.debug("Discovery of the Eviction version failed: {}", e.toString());
        }
        return DEFAULT_EVICTION_API_VERSION;
    }

    /** The Status message and its causes (the budget that refused, e.g.), else the code and body. */
    private String reason(int code, String body) {
        try {
            Status status = client.getKubernetesSerialization().unmarshal(body, Status.class);
            if (status != null && status.getMessage() != null && !status.getMessage().isBlank()) {
                String causes = status.getDetails() == null || status.getDetails().getCauses() == null ? ""
                        : status.getDetails().getCauses().stream()
                                .map(StatusCause::getMessage)
                                .filter(message -> message != null && !message.isBlank())
                                .collect(Collectors.joining("; "));
                return causes.isEmpty() ? status.getMessage() : status.getMessage() + " " + causes;
            }
        } catch (RuntimeException notStatus) {
            // Not a Status document: the code and what was sent say it best.
        }
        String text = body == null ? "" : body.strip();
        return "HTTP " + code + (text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) : text));
    }

    static boolean isDaemonSetPod(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        return owners != null && owners.stream().anyMatch(owner -> "DaemonSet".equals(owner.getKind()));
    }

    static boolean isMirrorPod(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(MIRROR_ANNOTATION);
    }

    static boolean isFinished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }
}
