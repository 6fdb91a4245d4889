package dev.winch.gateway;

import static dev.winch.gateway.Http.assertApiError;
import static dev.winch.gateway.Http.eventIds;
import static dev.winch.gateway.Http.json;
import static dev.winch.gateway.Http.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.Topics;
import dev.winch.testkit.EmbeddedKafkaBroker;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several HTTP server instances on one port, one per event loop: connections spread over them, and what must be one
 * for the process stays one (the in-flight limit, the meters, the receivers, the delivery status). The gateway here
 * also warms up first, and the warm-up leaves no trace: no record, no meter, no log line, no receiver.
 *
 * <p>Each test runs on a broker of its own, for exact record counts.
 */
class GatewayInstancesIT {

    private static final String ADMIN_TOKEN = "instances-admin-token";
    private static final String RECEIVER = "instances-web-up";
    private static final String TOKEN = "instances-token-1";
    private static final int REQUESTS = 40;

    @Test
    void requestsOverManyConnectionsAreServedByEveryInstanceAndCountedOnce() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                LogCapture logs = LogCapture.attach()) {
            GatewayTopics.create(broker);
            try (RunningGateway gateway = RunningGateway.start(broker.bootstrapServers(), Map.of(
                    "WINCH_ADMIN_TOKEN", ADMIN_TOKEN,
                    "WINCH_GATEWAY_INSTANCES", "2",
                    "WINCH_GATEWAY_WARMUP", "300"))) {
                assertThat(new Http().send(createReceiver(gateway)).statusCode()).isEqualTo(201);

                // One client, many requests at once: it opens a connection for each request that finds none idle.
                Http client = new Http();
                List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < REQUESTS; i++) {
                    answers.add(client.sendAsync(trigger(gateway, "spread-" + i)));
                }
                List<String> ids = new ArrayList<>();
                for (CompletableFuture<HttpResponse<String>> answer : answers) {
                    ids.addAll(eventIds(answer.get(30, TimeUnit.SECONDS)));
                }
                assertThat(ids).hasSize(REQUESTS).doesNotHaveDuplicates();

                Set<String> servedOn = new TreeSet<>();
                ids.forEach(id -> servedOn.addAll(logs.threadsLogging("eventId=" + id)));
                assertThat(servedOn).as("event loops that answered").hasSize(2)
                        .allSatisfy(thread -> assertThat(thread).startsWith("vert.x-eventloop-thread-"));

                String metrics = new Http().get(gateway.managementUri("/metrics")).body();
                assertThat(sample(metrics, "winch_gateway_requests_total", "outcome=\"accepted\""))
                        .as("each request counted once, the warm-up not at all").isEqualTo(REQUESTS);
                assertThat(sample(metrics, "winch_gateway_request_seconds_count", "outcome=\"accepted\""))
                        .isEqualTo(REQUESTS);
                assertThat(sample(metrics, "winch_gateway_in_flight", "")).isZero();
                assertThat(metrics).as("the warm-up's wrong tokens, its HTTP client")
                        .doesNotContain("outcome=\"not_found\"").doesNotContain("vertx_http_client");

                EventLog kafka = new EventLog(broker.bootstrapServers());
                assertThat(stored(kafka, Topics.SERVICE_SCALE)).as("records of the triggers").isEqualTo(REQUESTS);
                assertThat(stored(kafka, Topics.IMAGE_PUSHED)).as("records of the warm-up's pushes").isZero();
                assertThat(logs.lines()).anyMatch(line -> line.contains("Warm-up: 300 synthetic requests"))
                        .noneMatch(line -> line.contains("warm-up-push") || line.contains("warm-up-scale"));
                JsonObject receivers = json(new Http().send(to(gateway.uri("/api/v1/receivers"))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN).GET()));
                assertThat(receivers.getJsonArray("items")).hasSize(1);

                // A new connection for each question: they land on every instance, and each finds the event.
                for (String id : ids.subList(0, 6)) {
                    HttpResponse<String> status = new Http().send(status(gateway, id));
                    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
                    assertThat(json(status).getString("status")).isEqualTo("accepted");
                    assertThat(json(status).getString("receiver")).isEqualTo(RECEIVER);
                }
            }
        }
    }

    @Test
    void theInFlightLimitIsOneForTheProcessWhicheverInstanceARequestReaches(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            GatewayTopics.create(broker);
            // The receiver from a file: through the admin API its own write would wait for the linger below.
            Path receivers = Files.writeString(dir.resolve("receivers.yaml"), """
                    receivers:
                      - id: %s
                        kind: scaleService
                        token: %s
                        scaleService: {namespace: demo, workload: deployment/web, action: up, amount: 1, min: 1, max: 9}
                    """.formatted(RECEIVER, TOKEN));
            // Kafka's acknowledgement is delayed: the producer holds each record for 10 s before it sends it, so the
            // first two requests stay in flight while the others arrive.
            try (RunningGateway gateway = RunningGateway.start(broker.bootstrapServers(), Map.of(
                    "WINCH_RECEIVERS_FILE", receivers.toString(),
                    "WINCH_GATEWAY_INSTANCES", "2",
                    "WINCH_MAX_IN_FLIGHT", "2",
                    "KAFKA_PRODUCER_LINGER_MS", "10000",
                    "KAFKA_PRODUCER_DELIVERY_TIMEOUT_MS", "30000"))) {
                List<CompletableFuture<HttpResponse<String>>> waiting = List.of(
                        new Http().sendAsync(trigger(gateway, "waiting-1")),
                        new Http().sendAsync(trigger(gateway, "waiting-2")));
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        sample(new Http().get(gateway.managementUri("/metrics")).body(), "winch_gateway_in_flight", "")
                                == 2);

                // Each on a connection of its own, so they reach both instances: a limit per instance would let
                // some of them through to wait for Kafka.
                List<CompletableFuture<HttpResponse<String>>> others = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    others.add(new Http().sendAsync(trigger(gateway, "refused-" + i)));
                }
                for (CompletableFuture<HttpResponse<String>> other : others) {
                    HttpResponse<String> refused = other.get(10, TimeUnit.SECONDS);
                    assertApiError(refused, 503, "unavailable");
                    assertThat(refused.body()).contains("too many requests in flight");
                    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
                }
                assertThat(sample(new Http().get(gateway.managementUri("/metrics")).body(),
                        "winch_gateway_in_flight", "")).as("still waiting for Kafka").isEqualTo(2);

                for (CompletableFuture<HttpResponse<String>> answer : waiting) {
                    assertThat(eventIds(answer.get(30, TimeUnit.SECONDS))).hasSize(1);
                }
                String metrics = new Http().get(gateway.managementUri("/metrics")).body();
                assertThat(sample(metrics, "winch_gateway_requests_total", "outcome=\"overloaded\"")).isEqualTo(6);
                assertThat(sample(metrics, "winch_gateway_requests_total", "outcome=\"accepted\"")).isEqualTo(2);
                assertThat(sample(metrics, "winch_gateway_in_flight", "")).isZero();
                assertThat(stored(new EventLog(broker.bootstrapServers()), Topics.SERVICE_SCALE)).isEqualTo(2);
            }
        }
    }

    /** The value of the one sample of {@code name} whose labels contain {@code label}; fails if there is none. */
    static double sample(String metrics, String name, String label) {
        return metrics.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .reduce((a, b) -> {
                    throw new AssertionError("more than one sample of " + name + " with " + label);
                })
                .orElseThrow(() -> new AssertionError("no sample of " + name + " with " + label + " in\n" + metrics));
    }

    private static long stored(EventLog kafka, String topic) {
        return kafka.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
    }

    private static HttpRequest.Builder createReceiver(RunningGateway gateway) {
        return to(gateway.uri("/api/v1/receivers")).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        {"id":"%s","kind":"scaleService","token":"%s","scaleService":{"namespace":"demo",
                         "workload":"deployment/web","action":"up","amount":1,"min":1,"max":9}}
                        """.formatted(RECEIVER, TOKEN)));
    }

    private static HttpRequest.Builder trigger(RunningGateway gateway, String deliveryId) {
        return to(gateway.uri("/hooks/" + RECEIVER + "?token=" + TOKEN)).header("X-Request-Id", deliveryId)
                .POST(HttpRequest.BodyPublishers.noBody());
    }

    private static HttpRequest.Builder status(RunningGateway gateway, String eventId) {
        return to(gateway.uri("/api/v1/events/" + eventId)).header("Authorization", "Bearer " + ADMIN_TOKEN).GET();
    }
}
