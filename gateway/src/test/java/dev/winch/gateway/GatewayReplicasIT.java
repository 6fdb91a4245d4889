package dev.winch.gateway;

import static dev.winch.gateway.Http.assertApiError;
import static dev.winch.gateway.Http.eventIds;
import static dev.winch.gateway.Http.json;
import static dev.winch.gateway.Http.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.EventCodec;
import dev.winch.common.event.Topics;
import dev.winch.gateway.receiver.ReceiverSpec;
import dev.winch.gateway.receiver.ReceiverValidator;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.WithKafka;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two gateway replicas on one broker share their receivers through the compacted topic: a change made through
 * either is served by the other within a second, and a replica that starts later is ready only once it has read
 * every receiver written before it.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayReplicasIT {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayReplicasIT.class);
    private static final String ADMIN_TOKEN = "admin-" + KafkaBrokerExtension.uniqueName("replicas");
    private static final Duration WITHIN_A_SECOND = Duration.ofSeconds(2);

    private final Http http = new Http();
    private String bootstrap;
    private RunningGateway a;
    private RunningGateway b;

    @BeforeAll
    void startTwoReplicas(KafkaBroker broker) throws Exception {
        bootstrap = broker.bootstrapServers();
        GatewayTopics.create(broker);
        a = RunningGateway.start(bootstrap, Map.of("WINCH_ADMIN_TOKEN", ADMIN_TOKEN));
        b = RunningGateway.start(bootstrap, Map.of("WINCH_ADMIN_TOKEN", ADMIN_TOKEN));
    }

    @AfterAll
    void stopReplicas() throws Exception {
        for (RunningGateway replica : new RunningGateway[] {a, b}) {
            if (replica != null) {
                replica.close();
            }
        }
    }

    private HttpResponse<String> admin(RunningGateway replica, String method, String path, String body) {
        HttpRequest.Builder request = to(replica.uri("/api/v1" + path)).header("Authorization", "Bearer " + ADMIN_TOKEN);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.replace('\'', '"')));
        }
        return http.send(request);
    }

    private static String scaleReceiver(String id, String token, int max) {
        return """
                {'id':'%s','kind':'scaleService','token':'%s','scaleService':{'namespace':'demo',
                 'workload':'deployment/web','action':'up','max':%d}}
                """.formatted(id, token, max);
    }

    private HttpResponse<String> trigger(RunningGateway replica, String id, String token) {
        return http.send(to(replica.uri("/hooks/" + id + "?token=" + token)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private void create(RunningGateway replica, String id, String token) {
        HttpResponse<String> created = admin(replica, "POST", "/receivers", scaleReceiver(id, token, 5));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @Test
    void aReceiverCreatedThroughOneReplicaTriggersThroughTheOtherWithinASecond() {
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = KafkaBrokerExtension.uniqueName("replicated");

            create(a, id, "replicated-token");
            long created = System.nanoTime();

            await().atMost(WITHIN_A_SECOND).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> trigger(b, id, "replicated-token").statusCode() == 202);
            latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - created));
        }

        List<Long> sorted = latencies.stream().sorted().toList();
        LOG.info("Receiver created through replica A triggered through replica B after {} ms (median {} ms)",
                latencies, sorted.get(sorted.size() / 2));
        assertThat(sorted.get(sorted.size() / 2)).as("median latency in ms").isLessThan(1_000L);
    }

    @Test
    void aTokenRotatedThroughOneReplicaIsEnforcedByTheOther() {
        String id = KafkaBrokerExtension.uniqueName("rotated");
        create(a, id, "first-token-1");
        await().atMost(WITHIN_A_SECOND).until(() -> trigger(b, id, "first-token-1").statusCode() == 202);

        HttpResponse<String> rotated = admin(a, "PUT", "/receivers/" + id, """
                {'kind':'scaleService','token':'second-token-2','scaleService':{'namespace':'demo',
                 'workload':'deployment/web','action':'up','max':5}}
                """);

        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        await().atMost(WITHIN_A_SECOND).untilAsserted(() ->
                assertApiError(trigger(b, id, "first-token-1"), 404, "not_found"));
        assertThat(trigger(b, id, "second-token-2").statusCode()).isEqualTo(202);
    }

    @Test
    void aReceiverDeletedThroughOneReplicaIs404OnTheOtherSoon() {
        String id = KafkaBrokerExtension.uniqueName("deleted");
        create(a, id, "deleted-token-1");
        await().atMost(WITHIN_A_SECOND).until(() -> admin(b, "GET", "/receivers/" + id, null).statusCode() == 200);

        HttpResponse<String> deleted = admin(b, "DELETE", "/receivers/" + id, null);

        assertThat(deleted.statusCode()).isEqualTo(204);
        await().atMost(WITHIN_A_SECOND).untilAsserted(() ->
                assertApiError(trigger(a, id, "deleted-token-1"), 404, "not_found"));
        assertApiError(admin(a, "GET", "/receivers/" + id, null), 404, "not_found");
        assertThat(json(admin(a, "GET", "/receivers", null)).getJsonArray("items").stream()
                .map(item -> ((io.vertx.core.json.JsonObject) item).getString("id"))).doesNotContain(id);
    }

    @Test
    void anEventAcceptedByOneReplicaHasItsDeliveryStatusOnTheOther() {
        String id = KafkaBrokerExtension.uniqueName("status");
        create(a, id, "status-token-1");
        String eventId = eventIds(trigger(a, id, "status-token-1")).get(0);

        await().atMost(WITHIN_A_SECOND).untilAsserted(() -> {
            HttpResponse<String> status = admin(b, "GET", "/events/" + eventId, null);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(json(status).getString("status")).isEqualTo("accepted");
            assertThat(json(status).getString("receiver")).isEqualTo(id);
        });
    }

    @Test
    void aReplicaStartedAfterAnEventWasAcceptedStillAnswersForIt() throws Exception {
        String id = KafkaBrokerExtension.uniqueName("status-late");
        create(a, id, "status-token-2");
        String eventId = eventIds(trigger(a, id, "status-token-2")).get(0);

        try (RunningGateway late = RunningGateway.start(bootstrap, Map.of("WINCH_ADMIN_TOKEN", ADMIN_TOKEN))) {
            HttpResponse<String> status = admin(late, "GET", "/events/" + eventId, null);

            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(json(status).getString("status")).isEqualTo("accepted");
            assertThat(json(status).getString("receiver")).isEqualTo(id);
            assertThat(json(status).getString("acceptedAt")).isNotNull();
        }
    }

    @Test
    void aReplicaStartedLaterReadsEveryReceiverBeforeItIsReady() throws Exception {
        String prefix = KafkaBrokerExtension.uniqueName("late");
        List<String> throughApi = List.of(prefix + "-api-1", prefix + "-api-2", prefix + "-api-3");
        throughApi.forEach(id -> create(a, id, "late-token-1"));
        String deleted = prefix + "-api-deleted";
        create(a, deleted, "late-token-1");
        assertThat(admin(a, "DELETE", "/receivers/" + deleted, null).statusCode()).isEqualTo(204);
        List<String> throughTopic = writeStraightToTheTopic(prefix, 300);
        String updated = throughTopic.get(0);

        RunningGateway late = RunningGateway.prepare(bootstrap, Map.of("WINCH_ADMIN_TOKEN", ADMIN_TOKEN));
        try {
            assertThat(http.get(late.managementUri("/health/ready")).statusCode())
                    .as("not ready before it started").isEqualTo(503);

            // What the replica serves at the very moment its start completes, before anything else can run.
            AtomicReference<Map<String, Optional<ReceiverSpec>>> atStart = new AtomicReference<>();
            List<String> expected = new ArrayList<>(throughApi);
            expected.addAll(throughTopic);
            expected.add(deleted);
            long started = System.nanoTime();
            late.startService().onSuccess(port -> {
                Map<String, Optional<ReceiverSpec>> seen = new HashMap<>();
                expected.forEach(id -> seen.put(id, late.service().receivers().find(id).map(r -> r.spec())));
                atStart.set(seen);
            }).await(30, TimeUnit.SECONDS);
            LOG.info("Late replica caught up with {} receivers and started in {} ms", late.service().receivers()
                    .all().size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

            Map<String, Optional<ReceiverSpec>> seen = atStart.get();
            assertThat(throughApi).allSatisfy(id -> assertThat(seen.get(id)).isPresent());
            assertThat(throughTopic).allSatisfy(id -> assertThat(seen.get(id)).as(id).isPresent());
            assertThat(seen.get(deleted)).as("the tombstone was read too").isEmpty();
            assertThat(seen.get(updated)).hasValueSatisfying(spec ->
                    assertThat(spec.scaleService().max()).as("the last write of a key wins").isEqualTo(9));

            assertThat(trigger(late, throughTopic.get(299), "late-token-1").statusCode()).isEqualTo(202);
            assertThat(trigger(late, throughApi.get(2), "late-token-1").statusCode()).isEqualTo(202);
            assertApiError(trigger(late, deleted, "late-token-1"), 404, "not_found");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(http.get(late.managementUri("/health/ready")).statusCode()).isEqualTo(200));
        } finally {
            late.close();
        }
    }

    /** Receivers as another replica (or a GitOps job) stores them: one record each, the first one twice. */
    private List<String> writeStraightToTheTopic(String prefix, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", bootstrap, "acks", "all",
                "key.serializer", StringSerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName()))) {
            for (int i = 0; i < count; i++) {
                String id = prefix + "-topic-" + i;
                ids.add(id);
                producer.send(record(id, 5));
            }
            producer.send(record(ids.get(0), 9)).get(30, TimeUnit.SECONDS);
        }
        return ids;
    }

    private static ProducerRecord<String, byte[]> record(String id, int max) throws Exception {
        ReceiverSpec spec = ReceiverValidator.validate(Samples.lenient(scaleReceiver(id, "late-token-1", max)), null,
                null, "api", Instant.now()).spec();
        return new ProducerRecord<>(Topics.RECEIVERS, id, EventCodec.mapper().writeValueAsBytes(spec));
    }
}
