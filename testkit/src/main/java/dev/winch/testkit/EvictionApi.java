package dev.winch.testkit;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fabric8 mock server in CRUD mode, plus the two things a drain needs that it does not serve as an API server
 * does: the Eviction API ({@code POST .../pods/{name}/eviction}) with a PodDisruptionBudget the test controls, and
 * the {@code spec.nodeName} field selector on pod lists (the mock server answers such a list with no pods at all,
 * so on the plain mock server a drain finds nothing to evict). Used by the host service's drain tests, the host
 * benchmark and the scale-out proof.
 *
 * <p>An eviction is answered as kube-apiserver answers it: 404 with a NotFound Status when the pod does not exist,
 * 409 when the eviction's uid precondition names another pod, 429 with the TooManyRequests Status and the budget
 * as its cause while the test's budget allows no disruption of that pod, else the pod is deleted and the answer is
 * 201 with a Success Status. Each eviction is recorded with the time it arrived.
 *
 * <p>A Node's pod list reads every pod of the cluster and keeps that Node's. A benchmark with thousands of pods labels
 * each with its Node ({@value #NODE_LABEL}) and calls {@link #findPodsByNodeLabel()}: a Node's pods are then found
 * through that label, as an API server finds them in its cache.
 */
public final class EvictionApi implements AutoCloseable {

    /** On a pod: the Node it runs on, for the cheap lookup of a Node's pods (see above). */
    public static final String NODE_LABEL = "testkit.winch.dev/node";

    /** One eviction request as it arrived: {@code pod} is {@code namespace/name}, {@code code} the HTTP answer. */
    public record EvictionRequest(Instant at, String pod, int code) {
    }

    public static final String BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final Pattern EVICTION = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/eviction");
    private static final Pattern POD_LIST = Pattern.compile("/api/v1/pods\\?(.*)");
    /** Held: JUL keeps loggers weakly, and the mock server logs every request at INFO. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet("io.fabric8.mockwebserver");

    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    /** Pod ({@code namespace/name}) to the refusals its budget still has in store (MAX_VALUE: until released). */
    private final Map<String, Integer> budgets = new ConcurrentHashMap<>();
    private final Map<String, String> budgetNames = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();
    private final Set<String> deletedByOwner = ConcurrentHashMap.newKeySet();
    private volatile String evictionApiVersion;
    private volatile boolean byNodeLabel;
    /** Every eviction request in arrival order. */
    private final List<EvictionRequest> evictions = new CopyOnWriteArrayList<>();

    public EvictionApi() {
        server = new KubernetesMockServer(new Context(), MockWebServers.http11(), new HashMap<>(), new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return EvictionApi.this.dispatch(request);
            }

            @Override
            public void shutdown() {
                crud.shutdown();
            }
        }, false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        client = newClient();
    }

    /** The server's own client, for seeding and reading; closed with it. */
    public KubernetesClient client() {
        return client;
    }

    /** A client of its own (namespace {@code default}), for a service (which closes it on shutdown) or a watch. */
    public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(url())
                .withNamespace("default")
                .build()).build();
    }

    /** Base URL of the API, e.g. {@code http://127.0.0.1:34567}. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /**
     * Answers discovery of the core API ({@code GET /api/v1}) naming {@code apiVersion} as the kind of the
     * {@code pods/eviction} subresource, and refuses an Eviction of any other apiVersion with the 400 kube-apiserver
     * gives: {@code policy/v1beta1} is how a 1.20 or 1.21 API server answers. Without it, discovery finds nothing and
     * every apiVersion is taken.
     */
    public void servesEvictionsAs(String apiVersion) {
        evictionApiVersion = apiVersion;
    }

    /** Every pod carries {@value #NODE_LABEL}: a Node's pods are found through it, not by reading every pod. */
    public void findPodsByNodeLabel() {
        byNodeLabel = true;
    }

    /** {@code pod}'s budget (named {@code budget}) refuses its next {@code times} evictions. */
    public void refuse(String pod, String budget, int times) {
        budgetNames.put(pod, budget);
        budgets.put(pod, times);
    }

    /** {@code pod}'s budget refuses every eviction until {@link #release}d. */
    public void block(String pod, String budget) {
        refuse(pod, budget, Integer.MAX_VALUE);
    }

    public void release(String pod) {
        budgets.remove(pod);
    }

    /** The pod's owner deletes it just before its eviction arrives: the eviction finds nothing. */
    public void deleteBeforeEviction(String pod) {
        deletedByOwner.add(pod);
    }

    /** 429s answered for {@code pod} so far. */
    public int refusals(String pod) {
        AtomicInteger count = refusals.get(pod);
        return count == null ? 0 : count.get();
    }

    /** Every eviction answered, {@code namespace/name code}, in order. */
    public List<String> evictions() {
        return evictions.stream().map(e -> e.pod() + " " + e.code()).toList();
    }

    /** Every eviction answered, with the time it arrived, in order. */
    public List<EvictionRequest> evictionLog() {
        return List.copyOf(evictions);
    }

    /** The pods an eviction was asked for, whatever the answer. */
    public Set<String> evictionsAskedFor() {
        Set<String> pods = ConcurrentHashMap.newKeySet();
        evictions.forEach(e -> pods.add(e.pod()));
        return pods;
    }

    private MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        Matcher eviction = EVICTION.matcher(path);
        if (eviction.matches() && "POST".equals(request.getMethod())) {
            return evict(eviction.group(1), eviction.group(2), request.getUtf8Body());
        }
        if (evictionApiVersion != null && "/api/v1".equals(path) && "GET".equals(request.getMethod())) {
            return coreDiscovery();
        }
        Matcher podList = POD_LIST.matcher(path);
        if (podList.matches() && "GET".equals(request.getMethod()) && nodeName(podList.group(1)) != null) {
            return podsOnNode(nodeName(podList.group(1)));
        }
        return crud.dispatch(request);
    }

    private synchronized MockResponse evict(String namespace, String name, String body) {
        Instant at = Instant.now();
        String key = namespace + "/" + name;
        String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        if (deletedByOwner.remove(key)) {
            crud.handleDelete(podPath);
        }
        MockResponse answer = evictionAnswer(key, podPath, body);
        evictions.add(new EvictionRequest(at, key, answer.code()));
        return answer;
    }

    private MockResponse evictionAnswer(String key, String podPath, String body) {
        MockResponse read = crud.handleGet(podPath);
        if (read.code() == 404) {
            return status(404, "Failure", "NotFound", "pods \"" + key.substring(key.indexOf('/') + 1)
                    + "\" not found", null);
        }
        Pod pod = JSON.unmarshal(text(read), Pod.class);
        Eviction eviction = JSON.unmarshal(body, Eviction.class);
        String sent = eviction.getApiVersion();
        if (evictionApiVersion != null && !evictionApiVersion.equals(sent)) {
            return status(400, "Failure", "BadRequest", "Eviction in version \"" + sent.substring(sent.indexOf('/') + 1)
                    + "\" cannot be handled as a Eviction: no kind \"Eviction\" is registered for version \"" + sent
                    + "\"", null);
        }
        String uid = eviction.getDeleteOptions() == null || eviction.getDeleteOptions().getPreconditions() == null
                ? null : eviction.getDeleteOptions().getPreconditions().getUid();
        if (uid != null && !uid.equals(pod.getMetadata().getUid())) {
            return status(409, "Failure", "Conflict", "Precondition failed: UID in precondition: " + uid
                    + ", UID in object meta: " + pod.getMetadata().getUid(), null);
        }
        Integer left = budgets.get(key);
        if (left != null && left > 0) {
            if (left != Integer.MAX_VALUE) {
                budgets.put(key, left - 1);
            }
            refusals.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            return status(429, "Failure", "TooManyRequests", BUDGET_MESSAGE, "The disruption budget "
                    + budgetNames.get(key) + " needs 1 healthy pods and has 1 currently");
        }
        crud.handleDelete(podPath);
        return status(201, "Success", null, null, null);
    }

    /** The core API's resource list, as much of it as the drainer reads: pods and their eviction subresource. */
    private MockResponse coreDiscovery() {
        int slash = evictionApiVersion.indexOf('/');
        APIResourceList list = new APIResourceListBuilder().withGroupVersion("v1")
                .addNewResource().withName("pods").withNamespaced(true).withKind("Pod")
                .withVerbs("get", "list", "watch", "delete").endResource()
                .addNewResource().withName("pods/eviction").withNamespaced(true).withKind("Eviction")
                .withGroup(evictionApiVersion.substring(0, slash)).withVersion(evictionApiVersion.substring(slash + 1))
                .withVerbs("create").endResource()
                .build();
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(JSON.asJson(list));
    }

    /** What the API server answers for {@code fieldSelector=spec.nodeName=<node>}: only that Node's pods. */
    private MockResponse podsOnNode(String node) {
        String pods = byNodeLabel
                ? "/api/v1/pods?labelSelector=" + URLEncoder.encode(NODE_LABEL + "=" + node, StandardCharsets.UTF_8)
                : "/api/v1/pods";
        PodList list = JSON.unmarshal(text(crud.handleGet(pods)), PodList.class);
        List<Pod> onNode = new ArrayList<>();
        for (Pod pod : list.getItems()) {
            if (pod.getSpec() != null && node.equals(pod.getSpec().getNodeName())) {
                onNode.add(pod);
            }
        }
        list.setItems(onNode);
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(JSON.asJson(list));
    }

    private static String nodeName(String query) {
        for (String parameter : query.split("&")) {
            String decoded = URLDecoder.decode(parameter, StandardCharsets.UTF_8);
            if (decoded.startsWith("fieldSelector=spec.nodeName=")) {
                return decoded.substring("fieldSelector=spec.nodeName=".length());
            }
        }
        return null;
    }

    private static String text(MockResponse response) {
        return new String(response.getBody().getBytes(), StandardCharsets.UTF_8);
    }

    private static MockResponse status(int code, String status, String reason, String message, String cause) {
        StatusBuilder builder = new StatusBuilder().withStatus(status).withCode(code).withReason(reason)
                .withMessage(message);
        if (cause != null) {
            builder.withNewDetails().withCauses(new StatusCauseBuilder().withReason("DisruptionBudget")
                    .withMessage(cause).build()).endDetails();
        }
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(JSON.asJson(builder.build()));
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.destroy();
        }
    }

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(Level.WARNING);
        return logger;
    }
}
