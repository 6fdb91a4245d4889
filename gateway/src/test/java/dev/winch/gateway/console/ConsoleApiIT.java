package dev.winch.gateway.console;

import static dev.winch.gateway.Http.assertApiError;
import static dev.winch.gateway.Http.eventIds;
import static dev.winch.gateway.Http.json;
import static dev.winch.gateway.Http.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.DeadLetterHeaders;
import dev.winch.gateway.GatewayTopics;
import dev.winch.gateway.Http;
import dev.winch.gateway.RunningGateway;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.WithKafka;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's admin endpoints over real HTTP against the real broker: dead letters written with real headers
 * and redriven, the deliveries this replica accepted (listed and streamed), and the services' consumer groups.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleApiIT {

    private static final String ADMIN_TOKEN = "admin-" + KafkaBrokerExtension.uniqueName("console");

    private final Http http = new Http();
    private KafkaBroker broker;
    private RunningGateway gateway;
    private KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    void start(KafkaBroker broker) throws Exception {
        this.broker = broker;
        GatewayTopics.create(broker);
        gateway = RunningGateway.start(broker.bootstrapServers(), Map.of("WINCH_ADMIN_TOKEN", ADMIN_TOKEN));
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all",
                "key.serializer", ByteArraySerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName()));
    }

    @AfterAll
    void stop() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    HttpResponse<String> admin(String method, String path, String body) {
        HttpRequest.Builder request = to(gateway.uri("/api/v1" + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.replace('\'', '"')));
        }
        return http.send(request);
    }

    /** Writes a dead letter as a worker's consumer does: the original headers, and where it came from. */
    long deadLetter(String dlqTopic, String key, String value, String originalTopic, String eventId) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", eventId.getBytes(StandardCharsets.UTF_8));
        headers.add("ce_type", "dev.winch.service.scale.requested".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.REASON, "target not found".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.ATTEMPTS, "5".getBytes(StandardCharsets.UTF_8));
        if (originalTopic != null) {
            headers.add(DeadLetterHeaders.ORIGINAL_TOPIC, originalTopic.getBytes(StandardCharsets.UTF_8));
        }
        headers.add(DeadLetterHeaders.ORIGINAL_PARTITION, "0".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.ORIGINAL_OFFSET, "17".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.GROUP, "winch-scaler".getBytes(StandardCharsets.UTF_8));
        return producer.send(new ProducerRecord<>(dlqTopic, 0, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8), headers)).get(30, TimeUnit.SECONDS).offset();
    }

    /** Every record of a topic, read from its start to its current end. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "key.deserializer", ByteArrayDeserializer.class.getName(),
                "value.deserializer", ByteArrayDeserializer.class.getName(),
                "allow.auto.create.topics", "false"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return records;
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static String topic(String prefix) {
        return "winch." + KafkaBrokerExtension.uniqueName(prefix);
    }

    // ---- dead letters --------------------------------------------------------------------------------------

    @Nested
    class DeadLettersAndRedrive {

        @Test
        void listsEveryDeadLetterTopicWithItsRecordCountAndItsNewestRecordsFirst() throws Exception {
            String original = topic("listed");
            String dlq = Topics.deadLetter(original);
            broker.createTopic(original, 1);
            broker.createTopic(dlq, 1);
            for (int i = 0; i < 3; i++) {
                deadLetter(dlq, "demo/deployment/web", "{\"n\":" + i + "}", original, "event-" + i);
            }

            JsonObject topics = json(admin("GET", "/deadletters", null));
            assertThat(topics.getJsonArray("items").stream().map(JsonObject.class::cast)
                    .filter(t -> t.getString("topic").equals(dlq)))
                    .singleElement().satisfies(t -> assertThat(t.getLong("records")).isEqualTo(3));
            assertThat(topics.getJsonArray("items").stream().map(t -> ((JsonObject) t).getString("topic")))
                    .allSatisfy(name -> assertThat(name).endsWith(".dlq"));

            HttpResponse<String> page = admin("GET", "/deadletters/" + dlq + "?limit=2", null);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JsonObject body = json(page);
            assertThat(body.getString("topic")).isEqualTo(dlq);
            JsonArray items = body.getJsonArray("items");
            assertThat(items).hasSize(2);
            JsonObject newest = items.getJsonObject(0);
            assertThat(newest.getLong("offset")).isEqualTo(2);
            assertThat(items.getJsonObject(1).getLong("offset")).isEqualTo(1);
            assertThat(newest.getInteger("partition")).isZero();
            assertThat(newest.getString("key")).isEqualTo("demo/deployment/web");
            assertThat(newest.getString("eventId")).isEqualTo("event-2");
            assertThat(newest.getString("type")).isEqualTo("dev.winch.service.scale.requested");
            assertThat(newest.getString("value")).isEqualTo("{\"n\":2}");
            assertThat(newest.getString("timestamp")).isNotBlank();
            assertThat(newest.getJsonObject("headers").getMap())
                    .containsEntry("winch_dlq_topic", original)
                    .containsEntry("winch_dlq_reason", "target not found")
                    .containsEntry("winch_dlq_attempts", "5");
        }

        @Test
        void aLargeValueIsShownCutAt64KibAndSaysSo() throws Exception {
            String original = topic("large");
            String dlq = Topics.deadLetter(original);
            broker.createTopic(original, 1);
            broker.createTopic(dlq, 1);
            deadLetter(dlq, "k", "x".repeat(70 * 1024), original, "event-large");
            deadLetter(dlq, "k", "small", original, "event-small");

            JsonArray items = json(admin("GET", "/deadletters/" + dlq, null)).getJsonArray("items");

            assertThat(items).hasSize(2);
            JsonObject large = items.getJsonObject(1);
            assertThat(large.getString("eventId")).isEqualTo("event-large");
            assertThat(large.getString("value")).hasSize(64 * 1024);
            assertThat(large.getBoolean("valueTruncated")).isTrue();
            assertThat(items.getJsonObject(0).containsKey("valueTruncated")).isFalse();
        }

        @Test
        void redrivesOneRecordAndARangeToTheOriginalTopicMarkedWhereTheyCameFrom() throws Exception {
            String original = topic("redrive");
            String dlq = Topics.deadLetter(original);
            broker.createTopic(original, 2);
            broker.createTopic(dlq, 1);
            for (int i = 0; i < 4; i++) {
                deadLetter(dlq, "demo/deployment/web-" + i, "{\"n\":" + i + "}", original, "event-" + i);
            }

            HttpResponse<String> one = admin("POST", "/deadletters/" + dlq + "/redrive",
                    "{'partition':0,'offset':1}");

            assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
            assertThat(json(one).getJsonArray("redriven")).containsExactly(
                    new JsonObject().put("partition", 0).put("offset", 1L).put("topic", original));
            assertThat(json(one).getJsonArray("refused")).isEmpty();
            List<ConsumerRecord<byte[], byte[]>> back = readAll(original);
            assertThat(back).singleElement().satisfies(record -> {
                assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("demo/deployment/web-1");
                assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
                assertThat(header(record, "ce_id")).isEqualTo("event-1");
                assertThat(header(record, DeadLetterHeaders.REDRIVEN_FROM)).isEqualTo(dlq + "/0/1");
                assertThat(header(record, DeadLetterHeaders.ORIGINAL_TOPIC)).as("failure headers stay behind")
                        .isNull();
            });

            HttpResponse<String> range = admin("POST", "/deadletters/" + dlq + "/redrive",
                    "{'partition':0,'fromOffset':2,'toOffset':3}");

            assertThat(range.statusCode()).as(range.body()).isEqualTo(200);
            assertThat(json(range).getJsonArray("redriven")).hasSize(2);
            assertThat(readAll(original)).extracting(r -> header(r, DeadLetterHeaders.REDRIVEN_FROM))
                    .containsExactlyInAnyOrder(dlq + "/0/1", dlq + "/0/2", dlq + "/0/3");
        }

        @Test
        void aRecordFromAnotherTopicOrWithoutItsOriginIsRefusedAndNothingIsPublished() throws Exception {
            String original = topic("mismatch");
            String elsewhere = topic("elsewhere");
            String dlq = Topics.deadLetter(original);
            broker.createTopic(original, 1);
            broker.createTopic(elsewhere, 1);
            broker.createTopic(dlq, 1);
            deadLetter(dlq, "k", "{}", elsewhere, "event-a");
            deadLetter(dlq, "k", "{}", null, "event-b");

            HttpResponse<String> answer = admin("POST", "/deadletters/" + dlq + "/redrive",
                    "{'partition':0,'fromOffset':0,'toOffset':1}");

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(json(answer).getJsonArray("redriven")).isEmpty();
            JsonArray refused = json(answer).getJsonArray("refused");
            assertThat(refused).hasSize(2);
            assertThat(refused.getJsonObject(0).getString("reason")).contains(elsewhere).contains(original);
            assertThat(refused.getJsonObject(1).getString("reason")).contains("winch_dlq_topic");
            assertThat(readAll(original)).isEmpty();
            assertThat(readAll(elsewhere)).isEmpty();
        }

        @Test
        void aRecordWhoseTopicNoLongerExistsIsRefusedAndTheTopicIsNotCreated() throws Exception {
            String gone = topic("gone");
            String dlq = Topics.deadLetter(gone);
            broker.createTopic(dlq, 1);
            deadLetter(dlq, "k", "{}", gone, "event-gone");

            HttpResponse<String> answer = admin("POST", "/deadletters/" + dlq + "/redrive",
                    "{'partition':0,'offset':0}");

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(json(answer).getJsonArray("refused").getJsonObject(0).getString("reason"))
                    .contains("does not exist");
            try (Admin admin = Admin.create(broker.adminProps())) {
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain(gone);
            }
        }

        @Test
        void anOffsetOutOfRangeIsRefusedWithThePartitionsRange() throws Exception {
            String original = topic("range");
            String dlq = Topics.deadLetter(original);
            broker.createTopic(original, 1);
            broker.createTopic(dlq, 1);
            deadLetter(dlq, "k", "{}", original, "event-r");

            HttpResponse<String> answer = admin("POST", "/deadletters/" + dlq + "/redrive",
                    "{'partition':0,'offset':7}");

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(json(answer).getJsonArray("redriven")).isEmpty();
            assertThat(json(answer).getJsonArray("refused")).singleElement().satisfies(r -> {
                assertThat(((JsonObject) r).getLong("offset")).isEqualTo(7);
                assertThat(((JsonObject) r).getString("reason")).contains("out of range").contains("0 to 0");
            });
            assertThat(readAll(original)).isEmpty();
        }

        @Test
        void badRequestsAre400AndChangeNothing() throws Exception {
            String original = topic("bad");
            String dlq = Topics.deadLetter(original);
            broker.createTopic(original, 1);
            broker.createTopic(dlq, 1);
            deadLetter(dlq, "k", "{}", original, "event-bad");
            String redrive = "/deadletters/" + dlq + "/redrive";

            assertThat(assertApiError(admin("POST", redrive, "{'partition':0,'fromOffset':0,'toOffset':500}"), 400,
                    "invalid_request")).containsExactly("toOffset");
            assertThat(assertApiError(admin("POST", redrive, "{'partition':3,'offset':0}"), 400,
                    "invalid_request")).containsExactly("partition");
            assertThat(assertApiError(admin("POST", redrive, "{'partition':0}"), 400, "invalid_request"))
                    .containsExactly("offset");
            assertThat(assertApiError(admin("POST", redrive, "[1]"), 400, "invalid_request")).isNotEmpty();
            assertThat(assertApiError(admin("POST", redrive, null), 400, "invalid_request")).containsExactly("$");
            assertThat(assertApiError(admin("GET", "/deadletters/" + dlq + "?limit=201", null), 400,
                    "invalid_request")).containsExactly("limit");
            assertThat(assertApiError(admin("GET", "/deadletters/" + dlq + "?limit=x", null), 400,
                    "invalid_request")).containsExactly("limit");
            assertThat(readAll(original)).isEmpty();
        }

        @Test
        void aTopicThatIsNotADeadLetterTopicIs404() {
            assertApiError(admin("GET", "/deadletters/" + Topics.SERVICE_SCALE, null), 404, "not_found");
            assertApiError(admin("POST", "/deadletters/" + Topics.SERVICE_SCALE + "/redrive",
                    "{'partition':0,'offset':0}"), 404, "not_found");
            assertApiError(admin("GET", "/deadletters/" + topic("never") + ".dlq", null), 404, "not_found");
            assertApiError(admin("POST", "/deadletters/" + topic("never") + ".dlq/redrive",
                    "{'partition':0,'offset':0}"), 404, "not_found");
            assertApiError(admin("GET", "/deadletters/not%20a%20topic.dlq", null), 404, "not_found");
        }
    }

    @Test
    void everyConsoleEndpointNeedsTheAdminToken() {
        for (String path : List.of("/deadletters", "/deadletters/x.dlq", "/events", "/events/stream",
                "/health/services")) {
            HttpResponse<String> answer = http.get(gateway.uri("/api/v1" + path));
            assertApiError(answer, 401, "unauthorized");
            assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        }
        HttpResponse<String> redrive = http.send(to(gateway.uri("/api/v1/deadletters/x.dlq/redrive"))
                .header("Authorization", "Bearer wrong-" + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"partition\":0,\"offset\":0}")));
        assertApiError(redrive, 401, "unauthorized");
    }

    // ---- deliveries ----------------------------------------------------------------------------------------

    @Nested
    class Deliveries {

        String scaleReceiver(String id, String token, String workload) {
            HttpResponse<String> created = admin("POST", "/receivers", """
                    {'id':'%s','kind':'scaleService','token':'%s','scaleService':{'namespace':'demo',
                     'workload':'%s','action':'up','amount':2,'min':1,'max':6,'cooldownSeconds':30}}
                    """.formatted(id, token, workload));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            return id;
        }

        String trigger(String receiver, String token) {
            return eventIds(http.send(to(gateway.uri("/hooks/" + receiver + "?token=" + token))
                    .header("User-Agent", "console-test/1.0")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")))).get(0);
        }

        JsonArray list(String query) {
            HttpResponse<String> answer = admin("GET", "/events" + query, null);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            return json(answer).getJsonArray("items");
        }

        void publishResult(String eventId, String receiver, String target, Outcome outcome, String reason,
                Map<String, String> details) throws Exception {
            Instant now = Instant.now();
            ActionResult result = new ActionResult(eventId, "dev.winch.service.scale.requested", receiver, target,
                    outcome, reason, details, now, now, "scaler");
            try (KafkaProducer<String, byte[]> results = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", broker.bootstrapServers(), "acks", "all",
                    "key.serializer", StringSerializer.class.getName(),
                    "value.serializer", ByteArraySerializer.class.getName()))) {
                results.send(new EventCodec().toRecord(
                        Event.create(URI.create("/winch/scaler"), result, java.time.Clock.systemUTC())))
                        .get(30, TimeUnit.SECONDS);
            }
        }

        @Test
        void listsTheNewestDeliveriesFilteredAndFollowsTheirStatus() throws Exception {
            String receiver = scaleReceiver(KafkaBrokerExtension.uniqueName("list"), "list-token-1",
                    "deployment/web");
            String other = scaleReceiver(KafkaBrokerExtension.uniqueName("other"), "list-token-2",
                    "deployment/api");
            String first = trigger(receiver, "list-token-1");
            String second = trigger(receiver, "list-token-1");
            String elsewhere = trigger(other, "list-token-2");

            JsonArray mine = list("?receiver=" + receiver);
            assertThat(mine).extracting(i -> ((JsonObject) i).getString("eventId")).containsExactly(second, first);
            JsonObject item = mine.getJsonObject(0);
            assertThat(item.getString("status")).isEqualTo("accepted");
            assertThat(item.getString("type")).isEqualTo("dev.winch.service.scale.requested");
            assertThat(item.getString("target")).isEqualTo("demo/deployment/web");
            assertThat(item.getString("acceptedAt")).isNotBlank();
            assertThat(item.containsKey("reason")).isTrue();
            assertThat(item.getString("reason")).isNull();
            assertThat(list("?target=demo/deployment/api&limit=500"))
                    .extracting(i -> ((JsonObject) i).getString("eventId")).containsExactly(elsewhere);
            assertThat(list("?receiver=" + receiver + "&limit=1")).hasSize(1);

            publishResult(first, receiver, "demo/deployment/web", Outcome.APPLIED, "scaled 2 -> 4",
                    Map.of("foldedEventIds", first + "," + second, "foldedCount", "2"));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(list("?receiver=" + receiver + "&status=applied"))
                            .extracting(i -> ((JsonObject) i).getString("eventId")).containsExactly(first));
            JsonObject applied = list("?receiver=" + receiver + "&status=applied").getJsonObject(0);
            assertThat(applied.getString("reason")).isEqualTo("scaled 2 -> 4");
            assertThat(applied.getJsonArray("foldedInto")).containsExactly(first, second);
            assertThat(list("?receiver=" + receiver + "&status=accepted"))
                    .extracting(i -> ((JsonObject) i).getString("eventId")).containsExactly(second);

            JsonObject receivers = json(admin("GET", "/receivers", null));
            JsonObject listed = receivers.getJsonArray("items").stream().map(JsonObject.class::cast)
                    .filter(r -> r.getString("id").equals(receiver)).findFirst().orElseThrow();
            assertThat(listed.getJsonObject("lastDelivery").getString("eventId")).isEqualTo(second);
            assertThat(listed.getJsonObject("lastDelivery").getString("status")).isEqualTo("accepted");
            assertThat(listed.getJsonObject("lastDelivery").getString("at")).isNotBlank();
            assertThat(json(admin("GET", "/receivers/" + receiver, null)).getJsonObject("lastDelivery")
                    .getString("eventId")).isEqualTo(second);
            assertThat(json(admin("GET", "/receivers/" + receiver, null)).getString("token"))
                    .as("never the token").isNull();
        }

        @Test
        void anEventShowsItsRequestButNoTokenOrBody() {
            String receiver = scaleReceiver(KafkaBrokerExtension.uniqueName("request"), "request-token-1",
                    "deployment/web");
            String eventId = trigger(receiver, "request-token-1");

            HttpResponse<String> answer = admin("GET", "/events/" + eventId, null);

            assertThat(answer.statusCode()).isEqualTo(200);
            JsonObject request = json(answer).getJsonObject("request");
            assertThat(request.getString("remoteAddress")).isEqualTo("127.0.0.1");
            assertThat(request.getString("userAgent")).isEqualTo("console-test/1.0");
            assertThat(request.getString("contentType")).isEqualTo("application/json");
            assertThat(request.getLong("contentLength")).isEqualTo(2);
            assertThat(request.getString("authMethod")).isEqualTo("token-query");
            assertThat(answer.body()).doesNotContain("request-token-1");
        }

        @Test
        void badFiltersAre400NamingTheParameter() {
            assertThat(assertApiError(admin("GET", "/events?status=done", null), 400, "invalid_request"))
                    .containsExactly("status");
            assertThat(assertApiError(admin("GET", "/events?limit=0", null), 400, "invalid_request"))
                    .containsExactly("limit");
            assertThat(assertApiError(admin("GET", "/events?limit=501", null), 400, "invalid_request"))
                    .containsExactly("limit");
            assertThat(assertApiError(admin("GET", "/events?target=web", null), 400, "invalid_request"))
                    .containsExactly("target");
            assertThat(assertApiError(admin("GET", "/events?reciever=x", null), 400, "invalid_request"))
                    .containsExactly("reciever");
        }

        @Test
        void theStreamSendsADeliveryForEachAcceptedEventAndStatusChangeAndIsCleanedUpOnClose() throws Exception {
            String receiver = scaleReceiver(KafkaBrokerExtension.uniqueName("stream"), "stream-token-1",
                    "deployment/web");
            int before = gateway.service().status().listeners();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<String> lines = new CopyOnWriteArrayList<>();
            HttpResponse<Stream<String>> stream = client.send(HttpRequest.newBuilder(gateway.uri("/api/v1/events/stream"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/event-stream"));
            Thread reader = new Thread(() -> {
                try {
                    stream.body().forEach(lines::add);
                } catch (RuntimeException e) {
                    // the stream is closed below
                }
            });
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    gateway.service().status().listeners() == before + 1);

            String eventId = trigger(receiver, "stream-token-1");

            await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(lines, eventId).size() == 1);
            assertThat(lines).contains("event: delivery");
            assertThat(deliveries(lines, eventId).get(0).getString("status")).isEqualTo("accepted");
            assertThat(deliveries(lines, eventId).get(0).getString("receiver")).isEqualTo(receiver);

            publishResult(eventId, receiver, "demo/deployment/web", Outcome.FAILED, "no such deployment",
                    Map.of());

            await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(lines, eventId).size() == 2);
            assertThat(deliveries(lines, eventId).get(1).getString("status")).isEqualTo("failed");
            assertThat(deliveries(lines, eventId).get(1).getString("reason")).isEqualTo("no such deployment");

            stream.body().close();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    gateway.service().status().listeners() == before);
        }

        private List<JsonObject> deliveries(List<String> lines, String eventId) {
            List<JsonObject> found = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith("data: ")) {
                    JsonObject item = new JsonObject(line.substring(6));
                    if (eventId.equals(item.getString("eventId"))) {
                        found.add(item);
                    }
                }
            }
            return found;
        }
    }

    // ---- health --------------------------------------------------------------------------------------------

    @Test
    void healthShowsAServiceGroupsLagOverItsPartitionsAndTheDeadLetterTopics() throws Exception {
        String topic = topic("health");
        String group = KafkaBrokerExtension.uniqueName("winch-healthcheck");
        broker.createTopic(topic, 2);
        broker.createTopic(Topics.deadLetter(topic), 1);
        for (int i = 0; i < 3; i++) {
            producer.send(new ProducerRecord<>(topic, 0, null, new byte[] {1})).get(30, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 2; i++) {
            producer.send(new ProducerRecord<>(topic, 1, null, new byte[] {1})).get(30, TimeUnit.SECONDS);
        }
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        committed.put(new TopicPartition(topic, 0), new OffsetAndMetadata(1));
        committed.put(new TopicPartition(topic, 1), new OffsetAndMetadata(0));
        try (Admin admin = Admin.create(broker.adminProps())) {
            admin.alterConsumerGroupOffsets(group, committed).all().get(30, TimeUnit.SECONDS);
        }

        HttpResponse<String> answer = admin("GET", "/health/services", null);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonObject health = json(answer);
        assertThat(health.getJsonArray("services").stream().map(JsonObject.class::cast)
                .filter(s -> s.getString("group").equals(group)))
                .singleElement().satisfies(service -> {
                    assertThat(service.getLong("lag")).isEqualTo(4);
                    assertThat(service.getJsonArray("topics")).containsExactly(topic);
                    assertThat(service.getInteger("members")).isZero();
                    assertThat(service.getString("state")).isEqualTo("Empty");
                });
        assertThat(health.getJsonArray("deadLetters").stream().map(JsonObject.class::cast)
                .filter(d -> d.getString("topic").equals(Topics.deadLetter(topic))))
                .singleElement().satisfies(d -> assertThat(d.getLong("records")).isZero());
    }
}
