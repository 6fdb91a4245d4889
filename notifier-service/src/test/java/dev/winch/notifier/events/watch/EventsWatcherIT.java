package dev.winch.notifier.events.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.KubeEventObserved;
import dev.winch.common.kafka.KafkaSettings;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.WithKafka;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watcher between a stand-in API server (fabric8's mock server in CRUD mode) and a real Kafka broker: what
 * reaches the topic across restarts, failover and 410 Gone, counted by event uid and resourceVersion.
 */
@WithKafka
class EventsWatcherIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration LEASE = Duration.ofSeconds(3);

    private KafkaBroker broker;
    private String topic;
    private EventsCluster cluster;
    private final List<Replica> replicas = new ArrayList<>();

    /** One notifier replica's watcher: its own runtime (publisher, meters), client and identity. */
    private record Replica(ServiceRuntime runtime, KubernetesClient client, EventsWatcher watcher) {
    }

    @BeforeEach
    void setUp(KafkaBroker broker) throws Exception {
        this.broker = broker;
        topic = KafkaBrokerExtension.uniqueName("k8s-events");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        cluster = new EventsCluster();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Replica replica : replicas) {
            replica.watcher().stop().await(10, TimeUnit.SECONDS);
            replica.runtime().close().await(30, TimeUnit.SECONDS);
        }
        cluster.close();
    }

    @Test
    void aFreshInstallDoesNotReplayOldEvents() throws Exception {
        for (int i = 0; i < 5; i++) {
            cluster.createEvent("old-" + i);
        }
        Replica replica = start("a");
        await().atMost(WAIT).until(replica.watcher()::caughtUp);

        Event fresh = cluster.createEvent("new");

        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic()).containsExactly(key(fresh)));
        Event sentinel = cluster.createEvent("sentinel");
        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic())
                .containsExactlyInAnyOrder(key(fresh), key(sentinel)));
    }

    @Test
    void afterARestartExactlyTheEventsCreatedMeanwhileArePublished() throws Exception {
        Replica first = start("a");
        await().atMost(WAIT).until(first.watcher()::caughtUp);
        Event before = cluster.createEvent("before");
        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic()).containsExactly(key(before)));
        stop(first);

        List<String> expected = new ArrayList<>(List.of(key(before)));
        for (int i = 0; i < 50; i++) {
            expected.add(key(cluster.createEvent("while-down-" + i)));
        }
        Replica second = start("a");
        await().atMost(WAIT).until(second.watcher()::caughtUp);
        expected.add(key(cluster.createEvent("sentinel")));

        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic()).hasSameSizeAs(expected)
                .containsExactlyInAnyOrderElementsOf(expected));
        assertThat(counter(second, "winch_notifier_k8s_events_published_total")).isEqualTo(51);
    }

    @Test
    void anEventSeenAgainIsPublishedAgainAsAChange() throws Exception {
        Replica replica = start("a");
        await().atMost(WAIT).until(replica.watcher()::caughtUp);
        Event once = cluster.createEvent("web-1");
        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic()).containsExactly(key(once)));

        Event twice = cluster.repeat(once);

        await().atMost(WAIT).untilAsserted(() -> assertThat(onTopic())
                .extracting(KubeEventObserved::uid, KubeEventObserved::resourceVersion, KubeEventObserved::count)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(once.getMetadata().getUid(),
                                once.getMetadata().getResourceVersion(), 1),
                        org.assertj.core.groups.Tuple.tuple(once.getMetadata().getUid(),
                                twice.getMetadata().getResourceVersion(), 2)));
        KubeEventObserved change = onTopic().get(1);
        assertThat(change.partitionKey()).isEqualTo("demo/Pod/web-1");
        assertThat(change.reason()).isEqualTo("BackOff");
        assertThat(change.object()).containsKey("involvedObject");
    }

    @Test
    void aWatchAnsweredWithGoneRelistsAndRepeatsNothing() throws Exception {
        Replica first = start("a");
        await().atMost(WAIT).until(first.watcher()::caughtUp);
        Event before = cluster.createEvent("before");
        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic()).containsExactly(key(before)));
        stop(first);
        List<String> expected = new ArrayList<>(List.of(key(before)));
        for (int i = 0; i < 10; i++) {
            expected.add(key(cluster.createEvent("while-down-" + i)));
        }
        int listsBefore = cluster.eventLists();
        cluster.goneOnNextWatch();

        Replica second = start("a");
        await().atMost(WAIT).until(() -> cluster.goneAnswers() == 1 && second.watcher().caughtUp());
        expected.add(key(cluster.createEvent("sentinel")));

        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic()).hasSameSizeAs(expected)
                .containsExactlyInAnyOrderElementsOf(expected));
        assertThat(cluster.eventLists() - listsBefore).as("a list, then a relist after 410 Gone").isEqualTo(2);
        assertThat(counter(second, "winch_notifier_k8s_watch_gone_total")).isEqualTo(1);
        assertThat(counter(second, "winch_notifier_k8s_events_published_total")).as("10 while down, the sentinel")
                .isEqualTo(11);
        assertThat(counter(second, "winch_notifier_k8s_events_skipped_total"))
                .as("'before' on the first list, all 11 on the relist").isEqualTo(12);
    }

    @Test
    void whenTheLeaderDiesAnotherTakesOverWithinTheLeaseAndNothingIsLostOrRepeated() throws Exception {
        Replica a = start("a");
        await().atMost(WAIT).until(a.watcher()::caughtUp);
        Replica b = start("b");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(key(cluster.createEvent("before-" + i)));
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic()).isNotEmpty());
        assertThat(b.watcher().leading()).isFalse();

        // Killed: its client gone, it can neither renew the Lease nor watch; it never releases the Lease.
        a.client().close();
        long killed = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            expected.add(key(cluster.createEvent("during-" + i)));
        }
        await().atMost(LEASE.plusSeconds(2)).pollInterval(Duration.ofMillis(20)).until(b.watcher()::leading);
        Duration takeOver = Duration.ofNanos(System.nanoTime() - killed);
        for (int i = 0; i < 20; i++) {
            expected.add(key(cluster.createEvent("after-" + i)));
        }
        await().atMost(WAIT).until(b.watcher()::caughtUp);
        expected.add(key(cluster.createEvent("sentinel")));

        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic()).hasSameSizeAs(expected)
                .containsExactlyInAnyOrderElementsOf(expected));
        assertThat(takeOver).isLessThan(LEASE.plusSeconds(2));
        assertThat(counter(b, "winch_notifier_k8s_events_leader")).isEqualTo(1);
    }

    @Test
    void aLeaderThatLosesTheLeasePublishesNothingMoreAndCatchesUpWhenItLeadsAgain() throws Exception {
        Replica a = start("a");
        await().atMost(WAIT).until(a.watcher()::caughtUp);
        Event before = cluster.createEvent("before");
        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic()).containsExactly(key(before)));

        // Another holder takes the Lease (as after a partition healed): "a" must stop before its renew deadline.
        // The leader renews concurrently: an edit that meets its renewal (409) is made again on the new version.
        KubernetesClient admin = cluster.newClient();
        await().atMost(WAIT).ignoreExceptions().until(() -> admin.resources(Lease.class).inNamespace("winch")
                .withName(EventsWatchConfig.DEFAULT_LEASE_NAME)
                .edit(lease -> new LeaseBuilder(lease).editSpec().withHolderIdentity("intruder")
                        .withRenewTime(ZonedDateTime.now()).withLeaseDurationSeconds(3600).endSpec().build())
                != null);
        await().atMost(WAIT).until(() -> !a.watcher().leading());
        Event whileNotLeading = cluster.createEvent("while-not-leading");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> !versionsOnTopic().contains(key(whileNotLeading)));

        // The intruder goes away: "a", still a candidate, leads again and publishes what it missed, once.
        admin.resources(Lease.class).inNamespace("winch").withName(EventsWatchConfig.DEFAULT_LEASE_NAME).delete();
        await().atMost(WAIT).until(a.watcher()::caughtUp);
        Event sentinel = cluster.createEvent("sentinel");
        await().atMost(WAIT).untilAsserted(() -> assertThat(versionsOnTopic())
                .containsExactlyInAnyOrder(key(before), key(whileNotLeading), key(sentinel)));
    }

    // ---------------------------------------------------------------- helpers

    private Replica start(String identity) throws Exception {
        Map<String, String> variables = new HashMap<>();
        variables.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        variables.put("WINCH_SHUTDOWN_TIMEOUT", "2s");
        variables.put(EventsWatchConfig.WATCH, "true");
        variables.put(EventsWatchConfig.NAMESPACES, EventsCluster.NAMESPACE);
        variables.put(EventsWatchConfig.INSTANCE_ID, identity);
        variables.put(EventsWatchConfig.LEASE_DURATION, LEASE.toMillis() + "ms");
        variables.put(EventsWatchConfig.RENEW_DEADLINE, "2s");
        variables.put(EventsWatchConfig.RETRY_PERIOD, "250ms");
        Env env = new Env(variables);
        RuntimeConfig runtimeConfig = RuntimeConfig.fromEnv("notifier", env);
        EventsWatchConfig config = EventsWatchConfig.fromEnv(env, runtimeConfig).withTopic(topic);
        env.validate();
        ServiceRuntime runtime = ServiceRuntime.create(runtimeConfig);
        runtime.blocking().call(runtime::publisher).await(30, TimeUnit.SECONDS);
        KubernetesClient client = cluster.newClient();
        EventsWatcher watcher = EventsWatcher.on(runtime, client, config);
        Replica replica = new Replica(runtime, client, watcher);
        replicas.add(replica);
        io.vertx.core.Promise<Void> started = io.vertx.core.Promise.promise();
        runtime.vertx().runOnContext(v -> watcher.start().onComplete(started));
        started.future().await(10, TimeUnit.SECONDS);
        return replica;
    }

    private void stop(Replica replica) throws Exception {
        replicas.remove(replica);
        replica.watcher().stop().await(10, TimeUnit.SECONDS);
        replica.runtime().close().await(30, TimeUnit.SECONDS);
    }

    private static double counter(Replica replica, String name) {
        var meter = replica.runtime().registry().find(name).meter();
        return meter == null ? 0 : meter.measure().iterator().next().getValue();
    }

    private static String key(Event event) {
        return event.getMetadata().getUid() + "@" + event.getMetadata().getResourceVersion();
    }

    private List<String> versionsOnTopic() {
        return onTopic().stream().map(event -> event.uid() + "@" + event.resourceVersion())
                .collect(Collectors.toList());
    }

    /** Every record on the topic, in resourceVersion order. */
    private List<KubeEventObserved> onTopic() {
        EventCodec codec = new EventCodec();
        List<KubeEventObserved> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                KafkaSettings.reader(broker.bootstrapServers()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        found.add(codec.fromRecord(record).dataAs(KubeEventObserved.class));
                    } catch (Exception e) {
                        throw new AssertionError("not a Kubernetes event on " + topic, e);
                    }
                }
            }
        }
        found.sort(java.util.Comparator.comparingLong(event -> Long.parseLong(event.resourceVersion())));
        return found;
    }
}
