package dev.winch.notifier.events.watch;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

/**
 * The fabric8 mock server in CRUD mode standing in for the API server, plus what a real one does that the mock does
 * not: answering a watch with a 410 Gone watch event ("too old resource version"), as the API server does when the
 * resourceVersion asked for has left its watch cache. Counts the lists of Events it served.
 */
final class EventsCluster implements AutoCloseable {

    static final String NAMESPACE = "demo";
    private static final java.util.logging.Logger MOCK_LOG = quiet();

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final AtomicBoolean goneOnNextWatch = new AtomicBoolean();
    private final AtomicInteger eventLists = new AtomicInteger();
    private final AtomicInteger goneAnswers = new AtomicInteger();
    private final AtomicInteger created = new AtomicInteger();

    EventsCluster() throws Exception {
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getPath();
                boolean events = "GET".equals(request.getMethod()) && path.matches(".*/api/v1/(namespaces/[^/]+/)?events(\\?.*)?");
                if (events && path.contains("watch=true") && goneOnNextWatch.compareAndSet(true, false)) {
                    goneAnswers.incrementAndGet();
                    return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                        @Override
                        public void onOpen(WebSocket socket, Response response) {
                            socket.send("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                                    + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource "
                                    + "version\",\"reason\":\"Expired\",\"code\":410}}");
                            socket.close(1000, "");
                        }
                    });
                }
                if (events && !path.contains("watch=true")) {
                    eventLists.incrementAndGet();
                }
                return crud.dispatch(request);
            }

            @Override
            public void shutdown() {
                crud.shutdown();
            }
        };
        server = new KubernetesMockServer(new Context(), dev.winch.testkit.MockWebServers.http11(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        client = newClient();
    }

    /** A client of its own (a notifier replica's); closed with the cluster unless closed before. */
    KubernetesClient newClient() {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + server.getPort())
                .withNamespace("default")
                .withRequestTimeout(5_000)
                .withConnectionTimeout(2_000)
                .build();
        KubernetesClient made = new KubernetesClientBuilder().withConfig(config).build();
        synchronized (clients) {
            clients.add(made);
        }
        return made;
    }

    /** Creates an Event in {@value #NAMESPACE} about pod {@code pod}; answers it as stored (uid, resourceVersion). */
    Event createEvent(String pod) {
        int n = created.incrementAndGet();
        return client.v1().events().inNamespace(NAMESPACE).resource(new EventBuilder()
                .withNewMetadata().withName(pod + ".e" + n).withNamespace(NAMESPACE).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName(pod).withNamespace(NAMESPACE).endInvolvedObject()
                .withReason("BackOff").withMessage("Back-off restarting failed container " + n).withType("Warning")
                .withCount(1).withFirstTimestamp("2026-12-02T08:00:00Z").withLastTimestamp("2026-12-02T08:00:00Z")
                .build()).create();
    }

    /** The event seen once more: count + 1, as the kubelet reports a repeated event. */
    Event repeat(Event event) {
        return client.v1().events().inNamespace(NAMESPACE).withName(event.getMetadata().getName())
                .edit(current -> new EventBuilder(current).withCount(current.getCount() + 1)
                        .withLastTimestamp("2026-12-02T08:05:00Z").build());
    }

    /** The next watch of Events is answered with 410 Gone. */
    void goneOnNextWatch() {
        goneOnNextWatch.set(true);
    }

    int goneAnswers() {
        return goneAnswers.get();
    }

    int eventLists() {
        return eventLists.get();
    }

    @Override
    public void close() {
        synchronized (clients) {
            clients.forEach(KubernetesClient::close);
        }
        server.destroy();
    }

    private static java.util.logging.Logger quiet() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
        logger.setLevel(Level.WARNING);
        return logger;
    }
}
