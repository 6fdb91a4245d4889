package dev.winch.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox Kubernetes API of the host benchmark: the fabric8 mock server in CRUD mode, plus what a drain needs
 * that it does not serve. The Eviction API ({@code POST .../pods/{name}/eviction}): the pod is deleted and the answer
 * is 201, as an API server answers when no PodDisruptionBudget stands in the way (404 when the pod is gone); each
 * eviction is recorded with the time it arrived. The {@code spec.nodeName} field selector on pod lists (the mock
 * server answers it with no pods): answered from the label {@value #NODE_LABEL} the benchmark gives each pod, so that
 * one Node's pods are found without serialising every pod of the cluster, as an API server finds them in its cache.
 */
final class EvictingKubernetes implements AutoCloseable {

    /** On every pod the benchmark creates: the Node it runs on. */
    static final String NODE_LABEL = "bench.winch.dev/node";

    /** One eviction request as it arrived. */
    record Eviction(Instant at, String pod, int code) {
    }

    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final Pattern EVICTION = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/eviction");
    private static final Pattern POD_LIST = Pattern.compile("/api/v1/pods\\?(.*)");
    /** Held: JUL keeps loggers weakly, and the mock server logs every request at INFO. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet("io.fabric8.mockwebserver");

    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final List<Eviction> evictions = new CopyOnWriteArrayList<>();

    EvictingKubernetes() throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return EvictingKubernetes.this.dispatch(request);
            }

            @Override
            public void shutdown() {
                crud.shutdown();
            }
        }, false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        client = newClient();
    }

    /** The server's own client, for seeding and reading; closed with it. */
    KubernetesClient client() {
        return client;
    }

    /** A client of its own, for a service (which closes it on shutdown) or a watch. */
    KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + server.getPort())
                .withNamespace("default")
                .build()).build();
    }

    /** Every eviction answered so far, in arrival order. */
    List<Eviction> evictions() {
        return List.copyOf(evictions);
    }

    private MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        Matcher eviction = EVICTION.matcher(path);
        if (eviction.matches() && "POST".equals(request.getMethod())) {
            return evict(eviction.group(1), eviction.group(2));
        }
        Matcher podList = POD_LIST.matcher(path);
        if (podList.matches() && "GET".equals(request.getMethod())) {
            String node = nodeName(podList.group(1));
            if (node != null) {
                return podsOn(node);
            }
        }
        return crud.dispatch(request);
    }

    private synchronized MockResponse evict(String namespace, String name) {
        Instant at = Instant.now();
        String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        int code = crud.handleGet(podPath).code() == 404 ? 404 : 201;
        if (code == 201) {
            crud.handleDelete(podPath);
        }
        evictions.add(new Eviction(at, namespace + "/" + name, code));
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(JSON.asJson(new StatusBuilder().withStatus(code == 201 ? "Success" : "Failure")
                        .withCode(code).withReason(code == 201 ? null : "NotFound").build()));
    }

    private MockResponse podsOn(String node) {
        MockResponse labelled = crud.handleGet("/api/v1/pods?labelSelector="
                + URLEncoder.encode(NODE_LABEL + "=" + node, StandardCharsets.UTF_8));
        PodList list = JSON.unmarshal(new String(labelled.getBody().getBytes(), StandardCharsets.UTF_8),
                PodList.class);
        List<Pod> onNode = list.getItems().stream()
                .filter(pod -> pod.getSpec() != null && node.equals(pod.getSpec().getNodeName())).toList();
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
