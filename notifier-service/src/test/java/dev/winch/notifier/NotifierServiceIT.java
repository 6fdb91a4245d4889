package dev.winch.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.DeadLetterHeaders;
import dev.winch.common.kafka.KafkaSettings;
import dev.winch.common.kafka.TopicCreator;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.notifier.TestChannels.Recording;
import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.channel.Route;
import dev.winch.notifier.delivery.DeliverySettings;
import dev.winch.notifier.delivery.RetryPolicy;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.WithKafka;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The notifier delivering results to channels, on a real broker. */
@WithKafka
class NotifierServiceIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(300);

    private KafkaBroker broker;
    private String group;
    private String receiver;
    private final List<ServiceRuntime> runtimes = new ArrayList<>();
    private final List<NotifierService> services = new ArrayList<>();

    @BeforeAll
    static void topics(KafkaBroker broker) throws Exception {
        TopicCreator.createForSingleBroker(broker.bootstrapServers(), 2);
    }

    @BeforeEach
    void names(KafkaBroker broker) {
        this.broker = broker;
        group = KafkaBrokerExtension.uniqueName("it-notifier");
        receiver = KafkaBrokerExtension.uniqueName("demo-web");
    }

    @AfterEach
    void stop() throws Exception {
        for (NotifierService service : services) {
            service.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aChannelThatFailsTwiceGetsTheResultOnTheThirdTry() throws Exception {
        Recording flaky = new Recording(KafkaBrokerExtension.uniqueName("flaky"), 6_000, 2, Duration.ofMillis(50));
        routeReceiver(receiver, "{'channel':'" + flaky.name() + "'}");
        ServiceRuntime runtime = start(List.of(flaky), List.of(), Duration.ofMinutes(1));

        String id = publish(runtime, result("r1", Outcome.APPLIED));

        await().atMost(WAIT).untilAsserted(() -> assertThat(flaky.deliveredIds()).containsExactly(id));
        assertThat(flaky.attempts).hasSize(3);
        assertThat(Duration.between(flaky.attempts.get(0).at(), flaky.attempts.get(1).at()))
                .as("Retry-After of 50 ms is honoured").isGreaterThanOrEqualTo(Duration.ofMillis(45));
        assertThat(count(runtime, flaky.name(), "delivered")).isEqualTo(1);
        assertThat(runtime.registry().counter("winch_notification_retries_total", "channel", flaky.name()).count())
                .isEqualTo(2);
        assertThat(deadLetters(Set.of(id))).isEmpty();
    }

    @Test
    void aChannelDownForGoodDeadLettersWhileTheOthersDeliverOnTime() throws Exception {
        Recording healthy = new Recording(KafkaBrokerExtension.uniqueName("healthy"));
        Recording silent = new TestChannels.Silent(KafkaBrokerExtension.uniqueName("silent"));
        Recording refusing = new TestChannels.Refusing(KafkaBrokerExtension.uniqueName("refusing"));
        routeReceiver(receiver, "{'channel':'" + healthy.name() + "'},{'channel':'" + silent.name() + "'},"
                + "{'channel':'" + refusing.name() + "'}");
        ServiceRuntime runtime = start(List.of(healthy, silent, refusing), List.of(), Duration.ofMinutes(1));
        await().atMost(WAIT).until(() -> services.get(0).channelsAssigned());

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(publish(runtime, result("down-" + i, Outcome.APPLIED)));
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(healthy.deliveredIds()).containsExactlyElementsOf(ids));
        Instant healthyDone = healthy.delivered.get(2).at();
        // the silent channel needs 3 attempts of 300 ms for each result, 2.7 s for all three
        await().atMost(WAIT).untilAsserted(() -> assertThat(silent.attempts).hasSizeGreaterThan(3));
        assertThat(healthyDone).as("all delivered before the silent channel got to its second result")
                .isBefore(silent.attempts.get(3).at());
        assertThat(silent.deliveredIds()).isEmpty();

        await().atMost(WAIT).untilAsserted(() -> assertThat(deadLetters(Set.copyOf(ids))).hasSize(6));
        List<ConsumerRecord<String, byte[]>> dead = deadLetters(Set.copyOf(ids));
        assertThat(dead).filteredOn(r -> header(r, DeadLetterHeaders.CHANNEL).equals(silent.name()))
                .hasSize(3)
                .allSatisfy(r -> assertThat(header(r, DeadLetterHeaders.REASON))
                        .startsWith("gave up after 3 attempt(s)").contains("no answer within 300 ms"));
        assertThat(dead).filteredOn(r -> header(r, DeadLetterHeaders.CHANNEL).equals(refusing.name()))
                .hasSize(3)
                .allSatisfy(r -> assertThat(header(r, DeadLetterHeaders.REASON))
                        .isEqualTo("refused: 401 Unauthorized: token invalid"));
        assertThat(silent.attempts).hasSize(9);
        assertThat(refusing.attempts).as("a refusal is not retried").hasSize(3);
        assertThat(count(runtime, silent.name(), "dead_lettered")).isEqualTo(3);
        assertThat(count(runtime, healthy.name(), "delivered")).isEqualTo(3);
    }

    @Test
    void aBurstOverTheRateIsFoldedIntoADigest() throws Exception {
        // 60 a minute, counted over 2 s: 2 messages per 2 s
        Recording chat = new Recording(KafkaBrokerExtension.uniqueName("chat"), 60, 0, null);
        routeReceiver(receiver, "{'channel':'" + chat.name() + "'}");
        ServiceRuntime publisher = runtime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(publish(publisher, result("burst-" + i, Outcome.APPLIED)));
        }
        publisher.close().await(30, TimeUnit.SECONDS);

        Instant started = Instant.now();
        start(List.of(chat), List.of(), Duration.ofSeconds(2));

        await().atMost(WAIT).untilAsserted(() -> assertThat(chat.deliveredIds()).containsExactlyElementsOf(ids));
        assertThat(chat.delivered).hasSizeLessThan(ids.size());
        assertThat(chat.delivered).anySatisfy(a -> {
            assertThat(a.notification()).isInstanceOf(Notification.Digest.class);
            assertThat(((Notification.Digest) a.notification()).window()).isEqualTo("the last 2 seconds");
        });
        assertThat(Duration.between(started, chat.delivered.get(chat.delivered.size() - 1).at()))
                .as("not held back for the rate of one message each").isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void resultsArrivingWhenTheRateIsSpentWaitForTheNextPeriodAndGoTogether() throws Exception {
        // 30 a minute, counted over 2 s: one message per 2 s
        Recording chat = new Recording(KafkaBrokerExtension.uniqueName("chat"), 30, 0, null);
        routeReceiver(receiver, "{'channel':'" + chat.name() + "'}");
        ServiceRuntime runtime = start(List.of(chat), List.of(), Duration.ofSeconds(2));
        String first = publish(runtime, result("spent-0", Outcome.APPLIED));
        await().atMost(WAIT).untilAsserted(() -> assertThat(chat.deliveredIds()).containsExactly(first));

        List<String> later = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            later.add(publish(runtime, result("spent-" + i, Outcome.APPLIED)));
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(chat.deliveredIds()).hasSize(6));
        assertThat(chat.deliveredIds()).containsExactlyElementsOf(
                java.util.stream.Stream.concat(java.util.stream.Stream.of(first), later.stream()).toList());
        // the first of the five may wait for a permit alone; those arriving meanwhile go together after it
        assertThat(chat.delivered).as("the five wait for permits and are folded, not sent one by one")
                .hasSizeLessThanOrEqualTo(3);
        assertThat(chat.delivered.get(chat.delivered.size() - 1).notification())
                .isInstanceOf(Notification.Digest.class);
        for (int i = 0; i + 2 < chat.delivered.size(); i++) {
            assertThat(Duration.between(chat.delivered.get(i).at(), chat.delivered.get(i + 2).at()))
                    .as("at most one message in each 2 s period").isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
        }
    }

    @Test
    void aRedeliveredResultIsNotSentAgain() throws Exception {
        Recording mail = new Recording(KafkaBrokerExtension.uniqueName("mail"));
        routeReceiver(receiver, "{'channel':'" + mail.name() + "'}");
        ServiceRuntime first = start(List.of(mail), List.of(), Duration.ofMinutes(1));
        List<String> ids = List.of(publish(first, result("once-1", Outcome.APPLIED)),
                publish(first, result("once-2", Outcome.FAILED)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(mail.deliveredIds()).containsExactlyElementsOf(ids));
        services.remove(services.size() - 1).close().await(30, TimeUnit.SECONDS);

        // as after a crash between the delivery and the commit: the channel's group reads everything again
        String channelGroup = group + "-" + mail.name();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> earliest = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                earliest.put(new TopicPartition(Topics.RESULTS, p), new OffsetAndMetadata(0));
            }
            admin.alterConsumerGroupOffsets(channelGroup, earliest).all().get(30, TimeUnit.SECONDS);
        }
        ServiceRuntime second = start(List.of(mail), List.of(), Duration.ofMinutes(1));
        String later = publish(second, result("once-3", Outcome.APPLIED));

        await().atMost(WAIT).untilAsserted(() -> assertThat(mail.deliveredIds()).contains(later));
        assertThat(mail.deliveredIds()).containsExactly(ids.get(0), ids.get(1), later);
        assertThat(count(second, mail.name(), "duplicate")).isEqualTo(2);
    }

    @Test
    void theSameResultWrittenTwiceIsSentOnce() throws Exception {
        Recording mail = new Recording(KafkaBrokerExtension.uniqueName("mail"));
        routeReceiver(receiver, "{'channel':'" + mail.name() + "'}");
        ServiceRuntime runtime = start(List.of(mail), List.of(), Duration.ofMinutes(1));
        Event<ActionResult> twice = new Event<>(KafkaBrokerExtension.uniqueName("result"), URI.create("/winch/it"),
                Instant.now(), result("twice", Outcome.APPLIED));

        runtime.publisher().publish(twice).await(30, TimeUnit.SECONDS);
        await().atMost(WAIT).untilAsserted(() -> assertThat(mail.deliveredIds()).containsExactly(twice.id()));
        runtime.publisher().publish(twice).await(30, TimeUnit.SECONDS);
        String after = publish(runtime, result("after-twice", Outcome.APPLIED));

        await().atMost(WAIT).untilAsserted(() -> assertThat(mail.deliveredIds()).contains(after));
        assertThat(mail.deliveredIds()).containsExactly(twice.id(), after);
        assertThat(count(runtime, mail.name(), "duplicate")).isEqualTo(1);
    }

    @Test
    void stoppingDuringRetriesLeavesTheResultForTheNextRunAndDeadLettersNothing() throws Exception {
        String name = KafkaBrokerExtension.uniqueName("later");
        Recording silent = new TestChannels.Silent(name);
        routeReceiver(receiver, "{'channel':'" + name + "'}");
        ServiceRuntime first = start(List.of(silent), List.of(), Duration.ofMinutes(1));
        String id = publish(first, result("stopped", Outcome.APPLIED));
        await().atMost(WAIT).until(() -> !silent.attempts.isEmpty());

        long stopping = System.nanoTime();
        services.remove(services.size() - 1).close().await(30, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).as("no wait for the next attempt")
                .isLessThan(Duration.ofSeconds(2));
        assertThat(silent.attempts).hasSizeLessThan(3);
        Recording back = new Recording(name);
        start(List.of(back), List.of(), Duration.ofMinutes(1));
        await().atMost(WAIT).untilAsserted(() -> assertThat(back.deliveredIds()).containsExactly(id));
        assertThat(deadLetters(Set.of(id))).isEmpty();
        assertThat(deadLetters(Topics.deadLetter(Topics.RESULTS), Set.of(id))).isEmpty();
    }

    @Test
    void aReceiverRecordRoutesByOutcomeAndItsUnknownChannelIsIgnoredAndCounted() throws Exception {
        Recording ops = new Recording(KafkaBrokerExtension.uniqueName("ops"));
        routeReceiver(receiver, "{'channel':'" + ops.name() + "','outcomes':['FAILED']},{'channel':'ops-mial'}");
        ServiceRuntime runtime = start(List.of(ops), List.of(), Duration.ofMinutes(1));

        String applied = publish(runtime, result("route-1", Outcome.APPLIED));
        String failed = publish(runtime, result("route-2", Outcome.FAILED));

        await().atMost(WAIT).untilAsserted(() -> assertThat(ops.deliveredIds()).contains(failed));
        assertThat(ops.deliveredIds()).containsExactly(failed).doesNotContain(applied);
        Counter unknown = runtime.registry().find("winch_notifier_unknown_channel_routes_total")
                .tags("receiver", receiver, "channel", "ops-mial").counter();
        assertThat(unknown).isNotNull();
        assertThat(unknown.count()).isEqualTo(1);
    }

    @Test
    void aRouteWrittenWhileRunningIsFollowed() throws Exception {
        Recording ops = new Recording(KafkaBrokerExtension.uniqueName("ops"));
        ServiceRuntime runtime = start(List.of(ops), List.of(), Duration.ofMinutes(1));
        routeReceiver(receiver, "{'channel':'" + ops.name() + "'}");

        await().atMost(WAIT).untilAsserted(() -> {
            publish(runtime, result("late", Outcome.APPLIED));
            assertThat(ops.deliveredIds()).isNotEmpty();
        });
    }

    @Test
    void defaultRoutesTakeEveryReceiversResultsOfTheirOutcomes() throws Exception {
        Recording audit = new Recording(KafkaBrokerExtension.uniqueName("audit"));
        ServiceRuntime runtime = start(List.of(audit), List.of(new Route(audit.name(), Set.of(Outcome.FAILED))),
                Duration.ofMinutes(1));

        String applied = publish(runtime, result("default-1", Outcome.APPLIED));
        String failed = publish(runtime, result("default-2", Outcome.FAILED));

        await().atMost(WAIT).untilAsserted(() -> assertThat(audit.deliveredIds()).contains(failed));
        assertThat(audit.deliveredIds()).doesNotContain(applied);
        Notification.Single single = (Notification.Single) audit.delivered.stream()
                .filter(a -> a.ids().contains(failed)).findFirst().orElseThrow().notification();
        assertThat(single.eventUrl()).isEqualTo("https://winch.example.com/api/v1/events/cause-default-2");
        assertThat(single.result().receiverId()).isEqualTo(receiver);
    }

    // ---------------------------------------------------------------- helpers

    private ServiceRuntime runtime() {
        Map<String, String> variables = new HashMap<>();
        variables.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        variables.put("WINCH_CONSUMER_GROUP", group);
        variables.put("WINCH_SHUTDOWN_TIMEOUT", "2s");
        Env env = new Env(variables);
        RuntimeConfig config = RuntimeConfig.fromEnv("notifier", env);
        env.validate();
        return ServiceRuntime.create(config);
    }

    private ServiceRuntime start(List<Channel> channels, List<Route> defaults, Duration ratePeriod) throws Exception {
        ServiceRuntime runtime = runtime();
        NotifierConfig config = new NotifierConfig(runtime.config(), Optional.empty(), Optional.empty(),
                Optional.of("https://winch.example.com"),
                new DeliverySettings(new RetryPolicy(3, Duration.ofMinutes(1), Duration.ofMillis(10),
                        Duration.ofMillis(100), Duration.ofSeconds(1)), ATTEMPT_TIMEOUT, ratePeriod, 100, 1_000));
        NotifierService service = new NotifierService(runtime, config, channels, defaults);
        services.add(service);
        runtime.blocking().call(runtime::publisher).await(30, TimeUnit.SECONDS);
        service.start().await(60, TimeUnit.SECONDS);
        return runtime;
    }

    private ActionResult result(String name, Outcome outcome) {
        return new ActionResult("cause-" + name, "dev.winch.image.pushed", receiver, "demo/deployment/web-" + group,
                outcome, "set web to nginx:1.27", Map.of("oldImage", "nginx:1.26", "newImage", "nginx:1.27"),
                Instant.now(), Instant.now(), "upgrader");
    }

    private String publish(ServiceRuntime runtime, ActionResult result) throws Exception {
        Event<ActionResult> event = new Event<>(KafkaBrokerExtension.uniqueName("result"), URI.create("/winch/it"),
                Instant.now(), result);
        runtime.publisher().publish(event).await(30, TimeUnit.SECONDS);
        return event.id();
    }

    /** Writes a receiver to winch.receivers as the gateway stores it, with the given notify entries. */
    private void routeReceiver(String id, String notifyEntries) throws Exception {
        String json = ("{'id':'" + id + "','name':'demo','kind':'redeploy','auth':{'tokenSha256':'00'},"
                + "'redeploy':{'namespace':'demo'},'origin':'api','notify':[" + notifyEntries + "]}")
                .replace('\'', '"');
        ServiceRuntime writer = runtime();
        try {
            writer.publisher().send(new ProducerRecord<>(Topics.RECEIVERS, id, json.getBytes(StandardCharsets.UTF_8)))
                    .await(30, TimeUnit.SECONDS);
        } finally {
            writer.close().await(30, TimeUnit.SECONDS);
        }
    }

    private double count(ServiceRuntime runtime, String channel, String outcome) {
        Counter counter = runtime.registry().find("winch_notifications_total")
                .tags("channel", channel, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The dead letters of the given results. */
    private List<ConsumerRecord<String, byte[]>> deadLetters(Set<String> resultIds) {
        return deadLetters(Topics.NOTIFICATIONS_DLQ, resultIds);
    }

    private List<ConsumerRecord<String, byte[]>> deadLetters(String topic, Set<String> resultIds) {
        Map<String, Object> config = KafkaSettings.reader(broker.bootstrapServers());
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String id = header(record, "ce_id");
                    if (resultIds.contains(id)) {
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
}
