package dev.winch.gateway;

import static dev.winch.gateway.Http.assertApiError;
import static dev.winch.gateway.Http.eventIds;
import static dev.winch.gateway.Http.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.Event;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.event.WorkloadRef;
import dev.winch.testkit.EmbeddedKafkaBroker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka goes away under a running gateway and comes back: senders get 503 with Retry-After (never a 2xx for a
 * write that was not stored), and every event that was answered 202 is on the topic afterwards.
 *
 * <p>Runs on brokers of its own (stopping the shared one would break every other test) and takes about 10 s: a
 * write to an unreachable broker fails only when the producer gives up ({@code max.block.ms}, 1 s, once the
 * client has dropped the topic's metadata; {@code delivery.timeout.ms}, 5 s, otherwise).
 */
class KafkaOutageIT {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOutageIT.class);
    private static final String ADMIN_TOKEN = "outage-admin-token";
    private static final String RECEIVER = "outage-web-up";
    private static final String TOKEN = "outage-token-1";

    private final Http http = new Http();

    @Test
    void whileKafkaIsDownRequestsGet503WithRetryAfterAndEveryAcknowledgedEventSurvives() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            GatewayTopics.create(broker);
            try (RunningGateway gateway = RunningGateway.start(broker.bootstrapServers(),
                    Map.of("WINCH_ADMIN_TOKEN", ADMIN_TOKEN))) {
                HttpResponse<String> created = http.send(admin(gateway, """
                        {"id":"%s","kind":"scaleService","token":"%s","scaleService":{"namespace":"demo",
                         "workload":"deployment/web","action":"up","amount":1,"min":1,"max":9}}
                        """.formatted(RECEIVER, TOKEN)));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                Set<String> acknowledged = new LinkedHashSet<>();
                for (int i = 0; i < 5; i++) {
                    acknowledged.addAll(eventIds(http.send(trigger(gateway, "before-" + i))));
                }

                broker.stop();
                long down = System.nanoTime();
                List<String> refusedDeliveries = List.of("during-0", "during-1");
                List<CompletableFuture<HttpResponse<String>>> during = new ArrayList<>();
                List<Long> answeredAfterMs = Collections.synchronizedList(new ArrayList<>());
                refusedDeliveries.forEach(delivery -> during.add(http.sendAsync(trigger(gateway, delivery))));
                during.add(http.sendAsync(admin(gateway, """
                        {"id":"outage-created","kind":"redeploy"}
                        """)));
                // A status this replica does not keep has to be searched for on Kafka.
                during.add(http.sendAsync(status(gateway, "00000000-0000-0000-0000-000000000000")));
                during.forEach(answer -> answer.thenRun(() ->
                        answeredAfterMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down))));

                await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                        assertThat(http.get(gateway.managementUri("/health/ready")).statusCode())
                                .as("not ready while Kafka is unreachable").isEqualTo(503));
                for (CompletableFuture<HttpResponse<String>> answer : during) {
                    HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
                    assertApiError(response, 503, "unavailable");
                    assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
                            assertThat(Integer.parseInt(seconds)).isPositive());
                }
                HttpResponse<String> kept = http.send(status(gateway, acknowledged.iterator().next()));
                assertThat(kept.statusCode()).as("a status the replica keeps needs no Kafka").isEqualTo(200);
                assertApiError(http.send(status(gateway, "not-an-event-id")), 404, "not_found");
                // Bounded: the producer gives up after its delivery timeout, or max.block.ms per queued send.
                LOG.info("Kafka down: requests answered 503 with Retry-After after {} ms", answeredAfterMs);

                broker.restart();
                long up = System.nanoTime();
                // Senders retry what got 503, with the same delivery id, until it is accepted.
                for (String delivery : refusedDeliveries) {
                    AtomicReference<HttpResponse<String>> retried = new AtomicReference<>();
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                        retried.set(http.send(trigger(gateway, delivery)));
                        return retried.get().statusCode() == 202;
                    });
                    acknowledged.addAll(eventIds(retried.get()));
                }
                LOG.info("Kafka back: the retried deliveries were accepted {} ms after the restart",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - up));
                for (int i = 0; i < 5; i++) {
                    acknowledged.addAll(eventIds(http.send(trigger(gateway, "after-" + i))));
                }
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                        assertThat(http.get(gateway.managementUri("/health/ready")).statusCode()).isEqualTo(200));

                List<Event<?>> stored = new EventLog(broker.bootstrapServers()).readAll(Topics.SERVICE_SCALE);

                assertThat(acknowledged).hasSize(12);
                Set<String> storedIds = stored.stream().map(Event::id).collect(Collectors.toSet());
                assertThat(storedIds).as("every event answered 202 is on the topic").containsAll(acknowledged);
                assertThat(stored).filteredOn(event -> acknowledged.contains(event.id()))
                        .extracting(event -> (Object) event.data()).containsOnly(new ServiceScaleRequested(RECEIVER,
                                new WorkloadRef("demo", "deployment", "web"), ScaleAction.UP, 1, 1, 9, 0));
            }
        }
    }

    @Test
    void whenAsManyRequestsAsAllowedWaitForKafkaTheNextIsRefusedAtOnce() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            GatewayTopics.create(broker);
            try (RunningGateway gateway = RunningGateway.start(broker.bootstrapServers(),
                    Map.of("WINCH_ADMIN_TOKEN", ADMIN_TOKEN, "WINCH_MAX_IN_FLIGHT", "1"))) {
                assertThat(http.send(admin(gateway, """
                        {"id":"%s","kind":"scaleService","token":"%s","scaleService":{"namespace":"demo",
                         "workload":"deployment/web","action":"up","amount":1,"min":1,"max":9}}
                        """.formatted(RECEIVER, TOKEN))).statusCode()).isEqualTo(201);
                assertThat(http.send(trigger(gateway, "warm")).statusCode()).isEqualTo(202);
                broker.stop();

                CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(trigger(gateway, "waiting"));
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        http.get(gateway.managementUri("/metrics")).body().lines()
                                .anyMatch(line -> line.startsWith("winch_gateway_in_flight") && line.endsWith(" 1.0")));
                long sent = System.nanoTime();
                HttpResponse<String> refused = http.send(trigger(gateway, "refused"));

                assertApiError(refused, 503, "unavailable");
                assertThat(refused.body()).contains("too many requests in flight");
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent))
                        .as("refused without waiting for Kafka").isLessThan(1_000);
                assertApiError(waiting.get(30, TimeUnit.SECONDS), 503, "unavailable");
            }
        }
    }

    private static HttpRequest.Builder trigger(RunningGateway gateway, String deliveryId) {
        return to(gateway.uri("/hooks/" + RECEIVER + "?token=" + TOKEN)).header("X-Request-Id", deliveryId)
                .POST(HttpRequest.BodyPublishers.noBody());
    }

    private static HttpRequest.Builder status(RunningGateway gateway, String eventId) {
        return to(gateway.uri("/api/v1/events/" + eventId)).header("Authorization", "Bearer " + ADMIN_TOKEN).GET();
    }

    private static HttpRequest.Builder admin(RunningGateway gateway, String receiver) {
        return to(gateway.uri("/api/v1/receivers")).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(receiver));
    }
}
