package dev.winch.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.event.Event;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.WorkloadRef;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.WithKafka;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.apache.kafka.clients.admin.Admin;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runtime every service starts on, with its management port, against a real broker. */
@WithKafka
class ServiceRuntimeIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Vertx client;
    private static WebClient http;
    private ServiceRuntime runtime;

    @BeforeAll
    static void startClient() {
        client = Vertx.vertx();
        http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1"));
    }

    @AfterAll
    static void stopClient() throws Exception {
        http.close();
        client.close().await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeRuntime() throws Exception {
        if (runtime != null) {
            runtime.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void isLiveAtOnceAndReadyOnlyOnceStarted(KafkaBroker broker) throws Exception {
        runtime = ServiceRuntime.create(config(broker.bootstrapServers(), Map.of()));
        int port = runtime.startManagement("127.0.0.1").await(10, TimeUnit.SECONDS);
        assertThat(port).isPositive().isEqualTo(runtime.managementPort());

        assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
        HttpResponse<Buffer> starting = get(port, "/health/ready");
        assertThat(starting.statusCode()).isEqualTo(503);
        assertThat(check(starting, "started").getString("status")).isEqualTo("DOWN");

        runtime.markStarted();

        await().atMost(WAIT).untilAsserted(() -> assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200));
        HttpResponse<Buffer> ready = get(port, "/health/ready");
        assertThat(check(ready, "started").getString("status")).isEqualTo("UP");
        assertThat(check(ready, "kafka").getString("status")).isEqualTo("UP");
    }

    @Test
    void servesPrometheusMetrics(KafkaBroker broker) throws Exception {
        String topic = KafkaBrokerExtension.uniqueName("it-runtime-metrics");
        broker.createTopic(topic, 1);
        runtime = ServiceRuntime.create(config(broker.bootstrapServers(), Map.of()));
        int port = runtime.startManagement("127.0.0.1").await(10, TimeUnit.SECONDS);
        runtime.publisher().send(runtime.codec().toRecord(topic, scale("metrics-1"))).await(10, TimeUnit.SECONDS);
        get(port, "/health/live");

        HttpResponse<Buffer> metrics = get(port, "/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.getHeader("Content-Type")).startsWith("text/plain");
        String body = metrics.bodyAsString();
        assertThat(body).contains("# TYPE ");
        assertThat(body).containsPattern("(?m)^winch_kafka_records_sent_total\\{.*service=\"it-runtime\".*} 1\\.0$");
        assertThat(body).containsPattern("(?m)^vertx_http_server_requests_total\\{");
        assertThat(body).contains("jvm_memory_used_bytes");
    }

    @Test
    void consumesWithItsOwnGroupAndStopsConsumersOnClose(KafkaBroker broker) throws Exception {
        String topic = KafkaBrokerExtension.uniqueName("it-runtime-consume");
        broker.createTopic(topic, 1);
        runtime = ServiceRuntime.create(config(broker.bootstrapServers(),
                Map.of("WINCH_CONSUMER_GROUP", KafkaBrokerExtension.uniqueName("it-runtime-group"))));
        List<String> handled = new CopyOnWriteArrayList<>();
        List<Boolean> onEventLoop = new CopyOnWriteArrayList<>();

        runtime.consume(List.of(topic), event -> {
            handled.add(event.id());
            onEventLoop.add(Vertx.currentContext() != null && Vertx.currentContext().isEventLoopContext());
            return Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);
        runtime.publisher().send(runtime.codec().toRecord(topic, scale("consumed-1"))).await(10, TimeUnit.SECONDS);

        await().atMost(WAIT).untilAsserted(() -> assertThat(handled).containsExactly("consumed-1"));
        assertThat(onEventLoop).containsOnly(true);
        runtime.close().await(30, TimeUnit.SECONDS);
    }

    @Test
    void consumesInNamedGroupsEachWithItsOwnPosition(KafkaBroker broker) throws Exception {
        String topic = KafkaBrokerExtension.uniqueName("it-runtime-groups");
        broker.createTopic(topic, 1);
        runtime = ServiceRuntime.create(config(broker.bootstrapServers(), Map.of()));
        String fast = KafkaBrokerExtension.uniqueName("it-group-fast");
        String stuck = KafkaBrokerExtension.uniqueName("it-group-stuck");
        List<String> fastHandled = new CopyOnWriteArrayList<>();
        List<String> stuckHandled = new CopyOnWriteArrayList<>();

        runtime.consumeBatches(fast, List.of(topic), 1, (events, positions) -> {
            events.forEach(e -> fastHandled.add(e.id()));
            return Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);
        runtime.consumeBatches(stuck, List.of(topic), 1, (events, positions) -> {
            events.forEach(e -> stuckHandled.add(e.id()));
            return Promise.<Void>promise().future();
        }).await(10, TimeUnit.SECONDS);
        for (String id : List.of("grouped-1", "grouped-2", "grouped-3")) {
            runtime.publisher().send(runtime.codec().toRecord(topic, scale(id))).await(10, TimeUnit.SECONDS);
        }

        await().atMost(WAIT).untilAsserted(() ->
                assertThat(fastHandled).containsExactly("grouped-1", "grouped-2", "grouped-3"));
        // The stuck group's first batch may arrive after the fast group's last: wait for it, then it must stay alone.
        await().atMost(WAIT).untilAsserted(() -> assertThat(stuckHandled).containsExactly("grouped-1"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(admin.listConsumerGroupOffsets(fast)
                    .partitionsToOffsetAndMetadata().get().values()).extracting(o -> o.offset()).containsExactly(3L));
        }
    }

    @Test
    void staysUnreadyWhileKafkaIsUnreachableAndSaysWhy() throws Exception {
        runtime = ServiceRuntime.create(config("127.0.0.1:" + closedPort(), Map.of()));
        int port = runtime.startManagement("127.0.0.1").await(10, TimeUnit.SECONDS);
        runtime.markStarted();

        for (int i = 0; i < 2; i++) {
            HttpResponse<Buffer> ready = get(port, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(check(ready, "started").getString("status")).isEqualTo("UP");
            assertThat(check(ready, "kafka").getString("status")).isEqualTo("DOWN");
        }
        assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void closesEverythingAndStopsListening(KafkaBroker broker) throws Exception {
        runtime = ServiceRuntime.create(config(broker.bootstrapServers(), Map.of()));
        int port = runtime.startManagement("127.0.0.1").await(10, TimeUnit.SECONDS);
        List<String> steps = new CopyOnWriteArrayList<>();
        runtime.onClose(() -> {
            steps.add("first registered");
            return Future.succeededFuture();
        });
        runtime.onClose(() -> {
            steps.add("last registered");
            return Future.succeededFuture();
        });

        runtime.close().await(30, TimeUnit.SECONDS);

        assertThat(steps).containsExactly("last registered", "first registered");
        assertThatThrownBy(() -> get(port, "/health/live")).isInstanceOf(ConnectException.class);
        assertThat(runtime.close().await(1, TimeUnit.SECONDS)).as("idempotent").isNull();
    }

    // ------------------------------------------------------------------ helpers

    private static RuntimeConfig config(String bootstrapServers, Map<String, String> more) {
        Map<String, String> variables = new HashMap<>(more);
        variables.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        variables.put("WINCH_MANAGEMENT_PORT", "0");
        variables.put("WINCH_SHUTDOWN_TIMEOUT", "2s");
        variables.put("WINCH_RETRY_BACKOFF", "10ms");
        Env env = new Env(variables);
        RuntimeConfig config = RuntimeConfig.fromEnv("it-runtime", env);
        env.validate();
        return config;
    }

    private static HttpResponse<Buffer> get(int port, String path) throws Exception {
        return http.get(port, "127.0.0.1", path).timeout(10_000).send().await(15, TimeUnit.SECONDS);
    }

    private static JsonObject check(HttpResponse<Buffer> response, String id) {
        return response.bodyAsJsonObject().getJsonArray("checks").stream()
                .map(JsonObject.class::cast)
                .filter(c -> id.equals(c.getString("id")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no check '" + id + "' in " + response.bodyAsString()));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Event<ServiceScaleRequested> scale(String id) {
        return new Event<>(id, URI.create("/winch/it"), Instant.now(), new ServiceScaleRequested("it",
                new WorkloadRef("shop", "deployment", "web"), ScaleAction.UP, 1, 1, 3, 0));
    }
}
