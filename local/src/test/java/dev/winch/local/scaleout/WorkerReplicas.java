package dev.winch.local.scaleout;

import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.Topics;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.host.HostConfig;
import dev.winch.host.HostService;
import dev.winch.host.kubernetes.KubernetesNodeDrainer;
import dev.winch.host.provider.exec.ProcessExecRunner;
import dev.winch.local.LocalStack;
import dev.winch.notifier.NotifierConfig;
import dev.winch.notifier.NotifierService;
import dev.winch.notifier.channel.ChannelsFile;
import dev.winch.scaler.ScalerConfig;
import dev.winch.scaler.ScalerService;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.TopicTail;
import dev.winch.upgrader.UpgraderConfig;
import dev.winch.upgrader.UpgraderService;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Replicas of the scaler, the upgrader, the host service and the notifier in one JVM, each on a runtime (and a
 * Kubernetes client) of its own, as separate processes would be, sharing one consumer group per service on the real
 * broker; a producer that writes events as the gateway (or, for results, a worker) does, and a tail of
 * {@code winch.results}.
 *
 * <p>The broker is shared by the test JVM: every Winch topic is created as the local run creates it, the topics the
 * replicas read ({@code winch.service.scale}, {@code winch.image.pushed}, {@code winch.host.scale},
 * {@code winch.results}) are brought to {@value #PARTITIONS} partitions if an earlier test created them with fewer,
 * and each group starts at the current end of its topic, so records of earlier tests are not handled again.
 */
final class WorkerReplicas implements AutoCloseable {

    static final int PARTITIONS = 6;
    static final Duration WAIT = Duration.ofSeconds(60);
    /** On every webhook request of a notifier replica: the replica's name. */
    static final String REPLICA_HEADER = "X-Scale-Out-Replica";

    private final KafkaBroker broker;
    private final String kubernetesUrl;
    private final String scalerGroup = KafkaBrokerExtension.uniqueName("scale-out-scaler");
    private final String upgraderGroup = KafkaBrokerExtension.uniqueName("scale-out-upgrader");
    private final String hostGroup = KafkaBrokerExtension.uniqueName("scale-out-host");
    private final String notifierGroup = KafkaBrokerExtension.uniqueName("scale-out-notifier");
    /** The notifier replicas' one channel: its consumer group is {@code <notifierGroup>-<channel>}. */
    private final String channel = KafkaBrokerExtension.uniqueName("hook");
    private final EventCodec codec = new EventCodec();
    private final KafkaProducer<String, byte[]> producer;
    private final TopicTail<ActionResult> results;
    private final List<Replica> replicas = new CopyOnWriteArrayList<>();

    /** One running replica: its name, its runtime, and whether the group gave it partitions. */
    record Replica(String name, ServiceRuntime runtime, BooleanSupplier assigned) {

        /**
         * Ends the replica without a graceful stop: the shutdown grace is zero, so work in flight is abandoned
         * wherever it is (a Kubernetes write or a webhook request made or not, its results or delivery marks
         * published or not) and its records stay uncommitted; the next owner of the partition reads them again.
         */
        void kill() throws Exception {
            runtime.close().await(30, TimeUnit.SECONDS);
        }

        /** Records this replica handled to the end (counted by the consumer runner). */
        double handled(String topic) {
            var counter = runtime.registry().find("winch_consumer_records_total")
                    .tags("topic", topic, "outcome", "handled").counter();
            return counter == null ? 0 : counter.count();
        }
    }

    /**
     * @param kubernetesUrl the API server the scaler, upgrader and host replicas talk to; null when the test starts
     *                      none of them (the notifier needs none)
     */
    WorkerReplicas(KafkaBroker broker, String kubernetesUrl) throws Exception {
        this.broker = broker;
        this.kubernetesUrl = kubernetesUrl;
        LocalStack.createTopics(broker.bootstrapServers());
        for (String topic : List.of(Topics.SERVICE_SCALE, Topics.IMAGE_PUSHED, Topics.HOST_SCALE, Topics.RESULTS)) {
            atLeastPartitions(topic, PARTITIONS);
        }
        broker.startGroupAtEnd(scalerGroup, Topics.SERVICE_SCALE);
        broker.startGroupAtEnd(upgraderGroup, Topics.IMAGE_PUSHED);
        broker.startGroupAtEnd(hostGroup, Topics.HOST_SCALE);
        broker.startGroupAtEnd(notifierGroup, Topics.RESULTS);
        broker.startGroupAtEnd(notifierGroup + "-" + channel, Topics.RESULTS);
        Map<String, Object> producerConfig = new HashMap<>(broker.producerProps());
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(producerConfig);
        this.results = new TopicTail<>(broker, Topics.RESULTS, this::result, ActionResult::causeId);
    }

    Replica startScaler(String name) throws Exception {
        ScalerConfig config = ScalerConfig.fromEnv(env(scalerGroup, name));
        ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
        ScalerService scaler = new ScalerService(runtime, newClient(), config);
        Replica replica = new Replica(name, runtime, scaler::hasAssignment);
        replicas.add(replica);
        scaler.start().await(30, TimeUnit.SECONDS);
        return replica;
    }

    Replica startUpgrader(String name) throws Exception {
        UpgraderConfig config = UpgraderConfig.fromEnv(env(upgraderGroup, name));
        ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
        UpgraderService upgrader = new UpgraderService(runtime, config, newClient());
        Replica replica = new Replica(name, runtime, upgrader::hasAssignment);
        replicas.add(replica);
        upgrader.start().await(30, TimeUnit.SECONDS);
        return replica;
    }

    /**
     * Starts a host-service replica as {@code HostMain} wires it: the Kubernetes drainer (evictions) sharing the
     * replica's client, and the exec runner. Drains retry every 100 ms; a clone's join is followed every second for
     * 2 s (no Node ever joins the sandbox, so each clone gets its second result, FAILED at stage {@code join}).
     */
    Replica startHost(String name, String ledgerNamespace) throws Exception {
        Map<String, String> env = new HashMap<>(env(hostGroup, name));
        env.put(HostConfig.NAMESPACE, ledgerNamespace);
        env.put(HostConfig.DRAIN_TIMEOUT, "30s");
        env.put(HostConfig.DRAIN_RETRY_INTERVAL, "100ms");
        env.put(HostConfig.JOIN_POLL_INTERVAL, "1s");
        env.put(HostConfig.JOIN_TIMEOUT, "2s");
        HostConfig config = HostConfig.fromEnv(env);
        ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
        KubernetesClient client = newClient();
        HostService host = new HostService(runtime, client, config, new KubernetesNodeDrainer(client,
                runtime.vertx(), config.drainTimeout(), config.drainRetryInterval(), config.drainConcurrency(),
                Clock.systemUTC()), new ProcessExecRunner(runtime.vertx()));
        Replica replica = new Replica(name, runtime, host::hasAssignment);
        replicas.add(replica);
        host.start().await(30, TimeUnit.SECONDS);
        return replica;
    }

    /**
     * Starts a notifier replica as {@code NotifierMain} does, from a channels file of its own: one webhook channel
     * ({@link #channel()}, the same name on every replica, so one consumer group) to {@code url} with the header
     * {@value #REPLICA_HEADER} naming the replica, a rate no load here reaches, and a default route for every result.
     */
    Replica startNotifier(String name, String url, Path dir) throws Exception {
        Path channels = dir.resolve(name + "-channels.yaml");
        Files.writeString(channels, """
                channels:
                  - name: %s
                    kind: webhook
                    url: %s
                    messagesPerMinute: 600000
                    headers:
                      %s: %s
                routes:
                  - channel: %s
                """.formatted(channel, url, REPLICA_HEADER, name, channel));
        Map<String, String> env = new HashMap<>(env(notifierGroup, name));
        env.put("WINCH_NOTIFIER_CHANNELS_FILE", channels.toString());
        env.put("WINCH_NOTIFIER_RETRY_BACKOFF", "100ms");
        env.put("WINCH_NOTIFIER_RETRY_BACKOFF_MAX", "1s");
        env.put("WINCH_NOTIFIER_ATTEMPT_TIMEOUT", "5s");
        NotifierConfig config = NotifierConfig.fromEnv(env);
        ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
        ChannelsFile file = ChannelsFile.load(channels, env, runtime.vertx());
        runtime.onClose(() -> {
            file.close();
            return io.vertx.core.Future.<Void>succeededFuture();
        });
        NotifierService notifier = new NotifierService(runtime, config, file.channels(), file.defaultRoutes());
        Replica replica = new Replica(name, runtime, notifier::channelsAssigned);
        replicas.add(replica);
        runtime.blocking().call(runtime::publisher).await(30, TimeUnit.SECONDS);
        notifier.start().await(60, TimeUnit.SECONDS);
        return replica;
    }

    /** The name of the notifier replicas' webhook channel. */
    String channel() {
        return channel;
    }

    /** Waits until every replica given holds at least one partition. */
    static void awaitAssigned(List<Replica> replicas) {
        await().atMost(WAIT).until(() -> replicas.stream().allMatch(r -> r.assigned().getAsBoolean()));
    }

    private Map<String, String> env(String group, String name) {
        return Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "WINCH_MANAGEMENT_PORT", "0",
                "WINCH_CONSUMER_GROUP", group,
                "WINCH_INSTANCE_ID", name,
                "WINCH_RETRY_BACKOFF", "100ms",
                "WINCH_RETRY_BACKOFF_MAX", "1s",
                // no grace: stopping a replica is killing it (see Replica.kill)
                "WINCH_SHUTDOWN_TIMEOUT", "0s");
    }

    /** Each replica has a client of its own, as a process would: its runtime closes it. */
    private KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(Objects.requireNonNull(kubernetesUrl, "no Kubernetes API given")).withNamespace("default").build()).build();
    }

    /**
     * Writes events to their topics in the order given, keyed as the gateway keys them, without waiting for each
     * acknowledgement (the idempotent producer keeps the order of a partition), then waits for all of them.
     */
    void publish(List<? extends Event<?>> events) throws Exception {
        List<Future<?>> sent = new ArrayList<>();
        for (Event<?> event : events) {
            sent.add(producer.send(codec.toRecord(event)));
        }
        for (Future<?> ack : sent) {
            ack.get(10, TimeUnit.SECONDS);
        }
    }

    /** Everything written to {@code winch.results} since the fixture was made, by the id of its event. */
    TopicTail<ActionResult> results() {
        return results;
    }

    /** The partition Kafka's default partitioner gives {@code key} on a topic of {@value #PARTITIONS}. */
    static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private void atLeastPartitions(String topic, int partitions) throws Exception {
        broker.createTopic(topic, partitions);
        try (Admin admin = Admin.create(broker.adminProps())) {
            int now = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().size();
            if (now < partitions) {
                admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions)))
                        .all().get(30, TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(topic).partitions().size() == partitions);
            } else if (now > partitions) {
                throw new IllegalStateException(topic + " has " + now + " partitions, these tests need "
                        + partitions);
            }
        }
    }

    private Optional<ActionResult> result(ConsumerRecord<String, byte[]> record) {
        try {
            return codec.fromRecord(record).data() instanceof ActionResult result ? Optional.of(result)
                    : Optional.empty();
        } catch (EventDecodingException e) {
            return Optional.empty(); // not a result of these tests
        }
    }

    @Override
    public void close() throws Exception {
        for (Replica replica : replicas) {
            replica.kill();
        }
        producer.close(Duration.ofSeconds(5));
        results.close();
    }
}
