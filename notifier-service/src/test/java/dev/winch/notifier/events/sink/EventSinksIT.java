package dev.winch.notifier.events.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.event.Event;
import dev.winch.common.event.KubeEventObserved;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.TopicCreator;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.notifier.NotifierConfig;
import dev.winch.notifier.NotifierService;
import dev.winch.notifier.channel.RecordingServer;
import dev.winch.notifier.delivery.DeliverySettings;
import dev.winch.notifier.delivery.RetryPolicy;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.WithKafka;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import dev.winch.common.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Records on winch.k8s.events delivered to sinks that are local HTTP servers, on a real broker. */
@WithKafka
class EventSinksIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaBroker broker;
    private String group;
    private String namespace;
    private Vertx vertx;
    private RecordingServer server;
    private final List<NotifierService> services = new ArrayList<>();
    private final List<EventSinks> built = new ArrayList<>();

    @BeforeAll
    static void topics(KafkaBroker broker) throws Exception {
        TopicCreator.createForSingleBroker(broker.bootstrapServers(), 2);
    }

    @BeforeEach
    void start(KafkaBroker broker) {
        this.broker = broker;
        group = KafkaBrokerExtension.uniqueName("it-sinks");
        namespace = KafkaBrokerExtension.uniqueName("ns").toLowerCase().replaceAll("[^a-z0-9-]", "-");
        vertx = Vertx.vertx();
        server = RecordingServer.start(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        for (NotifierService service : services) {
            service.close().await(30, TimeUnit.SECONDS);
        }
        built.forEach(EventSinks::close);
        server.close();
        vertx.close().await();
    }

    @Test
    void aWebhookGetsItsConfigMapsBodyWithItsMethodAndHeadersAndDingTalkKubeEventersText() throws Exception {
        try (SandboxKubernetes kubernetes = SandboxKubernetes.start()) {
            kubernetes.client().configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName("custom-body").withNamespace(namespace).endMetadata()
                    .withData(Map.of("content", "{\"type\":\"{{ .Type }}\",\"object\":\"{{ .InvolvedObject.Kind }} "
                            + "{{ .InvolvedObject.Namespace }}/{{ .InvolvedObject.Name }}\",\"reason\":"
                            + "\"{{ .Reason }}\",\"count\":{{ .Count }},\"message\":\"{{ .Message }}\","
                            + "\"time\":\"{{ .EventTime }}\"}"))
                    .build()).create();
            String sinks = "--sink=webhook:" + server.url("/hook?token=t1") + "&level=Normal&namespaces=" + namespace
                    + "&method=PUT&header=X-Token=abc&header=Content-Type=application/json"
                    + "&custom_body_configmap=custom-body&custom_body_configmap_namespace=" + namespace + "\n"
                    + "--sink=dingtalk:" + server.url("/robot/send?access_token=tok") + "&level=Warning&namespaces="
                    + namespace + "&label=cluster-a";
            ServiceRuntime runtime = start(sinks, Duration.ofMinutes(1), kubernetes);

            String node = KafkaBrokerExtension.uniqueName("node").toLowerCase();
            KubeEventObserved pulled = TestEvents.pod(namespace, "web-1", "Normal", "Pulled", "Image pulled", 1);
            KubeEventObserved backOff = TestEvents.pod(namespace, "web-2", "Warning", "BackOff",
                    "Back-off \"restarting\" failed container\nweb", 4);
            KubeEventObserved elsewhere = TestEvents.pod("other-" + namespace, "web-3", "Warning", "BackOff", "m", 1);
            KubeEventObserved nodeEvent = TestEvents.node(node, "Warning", "NodeNotReady", "Node is not ready");
            for (KubeEventObserved event : List.of(pulled, backOff, elsewhere, nodeEvent)) {
                publish(runtime, event);
            }

            await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/hook")).hasSize(3));
            await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/robot/send")).hasSize(2));

            List<RecordingServer.Request> hook = requests("/hook");
            assertThat(hook).allSatisfy(request -> {
                assertThat(request.method()).isEqualTo("PUT");
                assertThat(request.headers().get("X-Token")).isEqualTo("abc");
                assertThat(request.headers().get("Content-Type")).isEqualTo("application/json");
                assertThat(request.rawQuery()).isEqualTo("token=t1");
            });
            List<JsonNode> bodies = new ArrayList<>();
            for (RecordingServer.Request request : hook) {
                bodies.add(JSON.readTree(request.body().toString()));
            }
            assertThat(bodies).extracting(b -> b.get("object").asText()).containsExactlyInAnyOrder(
                    "Pod " + namespace + "/web-1", "Pod " + namespace + "/web-2", "Node /" + node);
            JsonNode quoted = bodies.stream().filter(b -> b.get("reason").asText().equals("BackOff")).findFirst()
                    .orElseThrow();
            assertThat(quoted.get("message").asText()).isEqualTo("Back-off \"restarting\" failed container\nweb");
            assertThat(quoted.get("count").asInt()).isEqualTo(4);
            assertThat(quoted.get("time").asText()).isEqualTo("2019-07-17 03:52:30 +0000 UTC");

            List<String> texts = new ArrayList<>();
            for (RecordingServer.Request request : requests("/robot/send")) {
                assertThat(request.params().get("access_token")).isEqualTo("tok");
                JsonNode body = JSON.readTree(request.body().toString());
                assertThat(body.get("msgtype").asText()).isEqualTo("text");
                texts.add(body.at("/text/content").asText());
            }
            assertThat(texts).contains("cluster-a\nLevel:Warning \nKind:Pod \nNamespace:" + namespace
                    + " \nName:web-2.15b2a3f4c8d9e0a1 \nReason:BackOff \nTimestamp:2019-07-17 03:52:30 \nMessage:"
                    + "Back-off \"restarting\" failed container\nweb \nCount:4");
            assertThat(texts).anySatisfy(text -> assertThat(text).contains("Kind:Node").contains("NodeNotReady"));
        }
    }

    @Test
    void countOnlyUpdatesWithinTheWindowBecomeOneMessageWithTheLatestCount() throws Exception {
        ServiceRuntime runtime = start("wechat:" + server.url("/cgi-bin/webhook/send?key=k1") + "&namespaces="
                + namespace + "&kinds=Pod", Duration.ofSeconds(1), null);
        KubeEventObserved first = TestEvents.pod(namespace, "web-1", "Warning", "BackOff", "Back-off", 1);
        publish(runtime, first);
        publish(runtime, TestEvents.repeated(first, 2, TestEvents.LAST.plusSeconds(10), "101"));
        publish(runtime, TestEvents.repeated(first, 3, TestEvents.LAST.plusSeconds(20), "102"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/cgi-bin")).hasSize(2));
        KubeEventObserved other = TestEvents.pod(namespace, "web-9", "Warning", "Unhealthy", "probe failed", 1);
        publish(runtime, other);
        await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/cgi-bin")).hasSize(3));

        List<String> texts = new ArrayList<>();
        for (RecordingServer.Request request : requests("/cgi-bin")) {
            texts.add(JSON.readTree(request.body().toString()).at("/text/content").asText());
        }
        assertThat(texts.get(0)).contains("Reason:BackOff").doesNotContain("Count:");
        assertThat(texts.get(1)).contains("Reason:BackOff").endsWith("\nCount:3");
        assertThat(texts.get(2)).contains("Reason:Unhealthy");
        assertThat(runtime.registry().counter("winch_event_sink_events_total", "sink", "events-wechat-1",
                "outcome", "aggregated").count()).isEqualTo(2);
    }

    @Test
    void aRedeliveredEventIsNotSentAgain() throws Exception {
        String sink = "webhook:" + server.url("/again") + "?namespaces=" + namespace + "&kinds=Pod&method=POST"
                + "&sink_name=again";
        ServiceRuntime first = start(sink, Duration.ZERO, null);
        publish(first, TestEvents.pod(namespace, "web-1", "Warning", "BackOff", "one", 1));
        publish(first, TestEvents.pod(namespace, "web-2", "Warning", "BackOff", "two", 1));
        await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/again")).hasSize(2));
        services.remove(services.size() - 1).close().await(30, TimeUnit.SECONDS);

        // as after a crash between the delivery and the commit: the sink's group reads everything again
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> earliest = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                earliest.put(new TopicPartition(Topics.K8S_EVENTS, p), new OffsetAndMetadata(0));
            }
            admin.alterConsumerGroupOffsets(group + "-again" + EventSinks.GROUP_SUFFIX, earliest).all()
                    .get(30, TimeUnit.SECONDS);
        }
        ServiceRuntime second = start(sink, Duration.ZERO, null);
        publish(second, TestEvents.pod(namespace, "web-3", "Warning", "BackOff", "three", 1));

        await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/again")).hasSize(3));
        // the two read again (on either partition) are recognised as delivered
        await().atMost(WAIT).untilAsserted(() -> assertThat(second.registry().counter("winch_notifications_total",
                "channel", "again", "outcome", "duplicate").count()).isEqualTo(2));
        List<String> messages = new ArrayList<>();
        for (RecordingServer.Request request : requests("/again")) {
            messages.add(JSON.readTree(request.body().toString()).get("EventMessage").asText());
        }
        // web-1 and web-2 may be on different partitions: their order is not given
        assertThat(messages.subList(0, 2)).containsExactlyInAnyOrder("one", "two");
        assertThat(messages.get(2)).isEqualTo("three");
    }

    @Test
    void aFailedAttemptIsRetriedAndARefusedEventIsDeadLettered() throws Exception {
        ServiceRuntime runtime = start("webhook:" + server.url("/flaky") + "?namespaces=" + namespace
                + "&kinds=Pod&method=POST&sink_name=flaky", Duration.ZERO, null);
        server.answerNext(503, Map.of("Retry-After", "0"), "busy");
        String retried = publish(runtime, TestEvents.pod(namespace, "web-1", "Warning", "BackOff", "retried", 1));
        await().atMost(WAIT).untilAsserted(() -> assertThat(runtime.registry().counter("winch_notifications_total",
                "channel", "flaky", "outcome", "delivered").count()).isEqualTo(1));
        assertThat(requests("/flaky")).as("the 503, then the delivery").hasSize(2);

        server.answerAlways(400, "{\"error\":\"bad body\"}");
        String refused = publish(runtime, TestEvents.pod(namespace, "web-2", "Warning", "BackOff", "refused", 1));
        await().atMost(WAIT).untilAsserted(() -> assertThat(deadLetters(refused)).hasSize(1));
        ConsumerRecord<String, byte[]> dead = deadLetters(refused).get(0);
        assertThat(header(dead, "winch_dlq_channel")).isEqualTo("flaky");
        assertThat(header(dead, "winch_dlq_reason")).startsWith("refused: HTTP 400");
        assertThat(requests("/flaky")).as("a refusal is not retried").hasSize(3);
        assertThat(deadLetters(retried)).isEmpty();
    }

    @Test
    void aFoldedCountIsRetriedAfterASinkFailure() throws Exception {
        ServiceRuntime runtime = start("wechat:" + server.url("/cgi-bin/webhook/send?key=k1") + "&namespaces="
                + namespace + "&kinds=Pod&sink_name=folds", Duration.ofSeconds(2), null);
        KubeEventObserved first = TestEvents.pod(namespace, "web-1", "Warning", "BackOff", "Back-off", 1);
        publish(runtime, first);
        await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/cgi-bin")).hasSize(1));

        server.answerNext(503, Map.of("Retry-After", "0"), "busy");
        publish(runtime, TestEvents.repeated(first, 2, TestEvents.LAST.plusSeconds(10), "101"));
        publish(runtime, TestEvents.repeated(first, 3, TestEvents.LAST.plusSeconds(20), "102"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(runtime.registry().counter("winch_notifications_total",
                "channel", "folds", "outcome", "delivered").count()).isEqualTo(2));
        assertThat(requests("/cgi-bin")).as("the first, the folded count refused with 503, then taken").hasSize(3);
        assertThat(text(requests("/cgi-bin").get(1))).endsWith("\nCount:3");
        assertThat(text(requests("/cgi-bin").get(2))).endsWith("\nCount:3");
        assertThat(runtime.registry().counter("winch_notification_retries_total", "channel", "folds").count())
                .isEqualTo(1);
    }

    @Test
    void aFoldedCountThatIsNeverTakenIsDeadLettered() throws Exception {
        ServiceRuntime runtime = start("wechat:" + server.url("/cgi-bin/webhook/send?key=k1") + "&namespaces="
                + namespace + "&kinds=Pod&sink_name=folds-dead", Duration.ofSeconds(2), null);
        KubeEventObserved first = TestEvents.pod(namespace, "web-1", "Warning", "BackOff", "Back-off", 1);
        publish(runtime, first);
        await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/cgi-bin")).hasSize(1));

        server.answerAlways(503, "down");
        publish(runtime, TestEvents.repeated(first, 2, TestEvents.LAST.plusSeconds(10), "101"));
        String held = publish(runtime, TestEvents.repeated(first, 3, TestEvents.LAST.plusSeconds(20), "102"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(deadLetters(held)).hasSize(1));
        ConsumerRecord<String, byte[]> dead = deadLetters(held).get(0);
        assertThat(header(dead, "winch_dlq_channel")).isEqualTo("folds-dead");
        assertThat(header(dead, "winch_dlq_reason")).startsWith("gave up after 3 attempt(s)");
        assertThat(requests("/cgi-bin")).as("the first, then three attempts at the folded count").hasSize(4);
        assertThat(runtime.registry().counter("winch_notifications_total", "channel", "folds-dead", "outcome",
                "dead_lettered").count()).isEqualTo(1);
    }

    @Test
    void aRestartInsideTheWindowStillDeliversTheFoldedCountOnce() throws Exception {
        String sink = "wechat:" + server.url("/cgi-bin/webhook/send?key=k1") + "&namespaces=" + namespace
                + "&kinds=Pod&sink_name=folds-restart";
        ServiceRuntime before = start(sink, Duration.ofSeconds(6), null);
        KubeEventObserved first = TestEvents.pod(namespace, "web-1", "Warning", "BackOff", "Back-off", 1);
        publish(before, first);
        await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/cgi-bin")).hasSize(1));
        publish(before, TestEvents.repeated(first, 2, TestEvents.LAST.plusSeconds(10), "101"));
        publish(before, TestEvents.repeated(first, 3, TestEvents.LAST.plusSeconds(20), "102"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(before.registry().counter("winch_event_sink_events_total",
                "sink", "folds-restart", "outcome", "aggregated").count()).isEqualTo(2));
        services.remove(services.size() - 1).close().await(30, TimeUnit.SECONDS);
        assertThat(requests("/cgi-bin")).as("stopped inside the window").hasSize(1);

        ServiceRuntime after = start(sink, Duration.ofSeconds(6), null);
        await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/cgi-bin")).hasSize(2));
        assertThat(text(requests("/cgi-bin").get(1))).endsWith("\nCount:3");
        await().during(Duration.ofSeconds(2)).atMost(WAIT)
                .untilAsserted(() -> assertThat(requests("/cgi-bin")).as("sent once").hasSize(2));
        assertThat(after.registry().counter("winch_notifications_total", "channel", "folds-restart", "outcome",
                "delivered").count()).isEqualTo(1);
    }

    @Test
    void theSameEventVersionWrittenTwiceIsDeliveredOnce() throws Exception {
        ServiceRuntime runtime = start("webhook:" + server.url("/twice") + "?namespaces=" + namespace
                + "&kinds=Pod&method=POST&sink_name=twice", Duration.ZERO, null);
        KubeEventObserved event = TestEvents.pod(namespace, "web-1", "Warning", "BackOff", "once", 1);
        publish(runtime, event);
        publish(runtime, event);
        publish(runtime, TestEvents.pod(namespace, "web-2", "Warning", "BackOff", "after", 1));

        await().atMost(WAIT).untilAsserted(() -> assertThat(requests("/twice")).hasSize(2));
        await().atMost(WAIT).untilAsserted(() -> assertThat(runtime.registry().counter("winch_notifications_total",
                "channel", "twice", "outcome", "duplicate").count()).isEqualTo(1));
        List<String> messages = new ArrayList<>();
        for (RecordingServer.Request request : requests("/twice")) {
            messages.add(JSON.readTree(request.body().toString()).get("EventMessage").asText());
        }
        assertThat(messages).containsExactlyInAnyOrder("once", "after");
    }

    @Test
    void theSameEventVersionWrittenTwiceInsideAnAggregationWindowIsNotFoldedIntoAnotherMessage() throws Exception {
        ServiceRuntime runtime = start("wechat:" + server.url("/cgi-bin/webhook/send?key=k1") + "&namespaces="
                + namespace + "&kinds=Pod&sink_name=twice-folded", Duration.ofSeconds(1), null);
        KubeEventObserved event = TestEvents.pod(namespace, "web-1", "Warning", "BackOff", "Back-off", 1);
        publish(runtime, event);
        publish(runtime, event);
        await().atMost(WAIT).untilAsserted(() -> assertThat(runtime.registry().counter("winch_notifications_total",
                "channel", "twice-folded", "outcome", "duplicate").count()).isEqualTo(1));
        await().during(Duration.ofSeconds(2)).atMost(WAIT)
                .untilAsserted(() -> assertThat(requests("/cgi-bin")).hasSize(1));
    }

    // ---------------------------------------------------------------- helpers

    /** The dead letters of one event in winch.notifications.dlq. */
    private List<ConsumerRecord<String, byte[]>> deadLetters(String eventId) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                KafkaSettings.reader(broker.bootstrapServers()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.NOTIFICATIONS_DLQ).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (header(record, "ce_id").equals(eventId)) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String key) {
        var header = record.headers().lastHeader(key);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String text(RecordingServer.Request request) throws Exception {
        return JSON.readTree(request.body().toString()).at("/text/content").asText();
    }

    private List<RecordingServer.Request> requests(String pathPrefix) {
        return server.requests().stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
    }

    private ServiceRuntime start(String flags, Duration window, SandboxKubernetes kubernetes) throws Exception {
        Map<String, String> variables = new HashMap<>();
        variables.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        variables.put("WINCH_CONSUMER_GROUP", group);
        variables.put("WINCH_SHUTDOWN_TIMEOUT", "2s");
        Env env = new Env(variables);
        RuntimeConfig runtimeConfig = RuntimeConfig.fromEnv("notifier", env);
        env.validate();
        ServiceRuntime runtime = ServiceRuntime.create(runtimeConfig);
        EventSinkConfig events = new EventSinkConfig(SinkFlags.parse(flags, EventSinkConfig.SINKS), window,
                EventSinkConfig.NONE.kubernetes());
        NotifierConfig config = new NotifierConfig(runtime.config(), Optional.empty(), Optional.empty(),
                Optional.empty(), new DeliverySettings(new RetryPolicy(3, Duration.ofMinutes(1), Duration.ofMillis(10),
                        Duration.ofMillis(100), Duration.ofSeconds(1)), Duration.ofSeconds(5), Duration.ofMinutes(1),
                        100, 1_000), events);
        EventSinks sinks = EventSinks.create(runtime.vertx(), events, runtime.clock());
        built.add(sinks);
        if (kubernetes != null) {
            sinks.watchTemplates(kubernetes.client());
        }
        NotifierService service = new NotifierService(runtime, config, List.of(), List.of(), sinks);
        services.add(service);
        runtime.blocking().call(runtime::publisher).await(30, TimeUnit.SECONDS);
        service.start().await(60, TimeUnit.SECONDS);
        return runtime;
    }

    private String publish(ServiceRuntime runtime, KubeEventObserved event) throws Exception {
        Event<KubeEventObserved> record = new Event<>(KafkaBrokerExtension.uniqueName("k8s-event"),
                URI.create("/winch/it"), Instant.now(), event);
        runtime.publisher().publish(record).await(30, TimeUnit.SECONDS);
        return record.id();
    }
}
