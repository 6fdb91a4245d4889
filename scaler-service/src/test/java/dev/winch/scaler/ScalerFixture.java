package dev.winch.scaler;

import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.Topics;
import dev.winch.common.runtime.ServiceMain;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.kubernetes.KubernetesClients;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.TopicTail;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * What the scaler's ITs share: the topics, scaler instances on their own runtime and Kubernetes client, a producer
 * for requests and a tail of {@code winch.results}. The broker is shared by the whole test JVM, and so are the
 * topics: each test uses its own consumer group, started at the end of the scale topic so earlier tests' records
 * are not handled again.
 */
final class ScalerFixture implements AutoCloseable {

    static final int SCALE_PARTITIONS = 4;
    static final Duration WAIT = Duration.ofSeconds(60);

    private final KafkaBroker broker;
    private final SandboxKubernetes kubernetes;
    private final String group;
    private final EventCodec codec = new EventCodec();
    private final KafkaProducer<String, byte[]> producer;
    private final TopicTail<ActionResult> results;
    private final List<Instance> instances = new ArrayList<>();

    /** A running scaler replica; {@code service} is null for one started as its main does. */
    record Instance(String id, ServiceRuntime runtime, ScalerService service) {
        void stop() throws Exception {
            runtime.close().await(30, TimeUnit.SECONDS);
        }
    }

    ScalerFixture(KafkaBroker broker, SandboxKubernetes kubernetes) {
        this.broker = broker;
        this.kubernetes = kubernetes;
        broker.createTopic(Topics.SERVICE_SCALE, SCALE_PARTITIONS);
        broker.createTopic(Topics.RESULTS, 2);
        this.group = KafkaBrokerExtension.uniqueName("it-scaler");
        broker.startGroupAtEnd(group, Topics.SERVICE_SCALE);
        Map<String, Object> producerConfig = new HashMap<>(broker.producerProps());
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(producerConfig);
        this.results = new TopicTail<>(broker, Topics.RESULTS, this::result, ActionResult::causeId);
    }

    /** Starts a scaler replica in this test's consumer group. */
    Instance start(String instanceId, TargetScaler.AfterWrite afterWrite) throws Exception {
        ScalerConfig config = config(instanceId);
        ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
        ScalerService service = new ScalerService(runtime, newClient(), config, afterWrite);
        Instance instance = new Instance(instanceId, runtime, service);
        instances.add(instance);
        service.start().await(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(service::hasAssignment);
        return instance;
    }

    Instance start(String instanceId) throws Exception {
        return start(instanceId, TargetScaler.AfterWrite.NONE);
    }

    /**
     * Starts a replica the way its process does: {@link ServiceMain}'s start with {@link ScalerMain}'s starter, which
     * builds the Kubernetes client with {@code clients}. Returns once it started (its partitions may come later).
     */
    void startAsItsMainDoes(String instanceId, KubernetesClients.Factory clients) throws Exception {
        ScalerConfig config = config(instanceId);
        ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
        instances.add(new Instance(instanceId, runtime, null));
        ServiceMain.start(runtime, "127.0.0.1", config, ScalerMain.starter(clients)).await(30, TimeUnit.SECONDS);
    }

    private ScalerConfig config(String instanceId) {
        return ScalerConfig.fromEnv(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "WINCH_MANAGEMENT_PORT", "0",
                "WINCH_CONSUMER_GROUP", group,
                "WINCH_INSTANCE_ID", instanceId,
                "WINCH_RETRY_BACKOFF", "100ms",
                "WINCH_RETRY_BACKOFF_MAX", "1s",
                "WINCH_SHUTDOWN_TIMEOUT", "2s"));
    }

    /** Each replica gets a client of its own: the runtime closes it on shutdown. */
    KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(kubernetes.url()).withNamespace("default").build()).build();
    }

    /**
     * Writes requests to the scale topic, in order, as the gateway does (keyed by target), without waiting for each
     * acknowledgement (the idempotent producer keeps the order), so they arrive in bursts and wait to be folded.
     */
    void publish(List<? extends Event<?>> events) throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (Event<?> event : events) {
            sent.add(producer.send(codec.toRecord(event)));
        }
        for (java.util.concurrent.Future<?> ack : sent) {
            ack.get(10, TimeUnit.SECONDS);
        }
    }

    void publish(Event<?> event) throws Exception {
        publish(List.of(event));
    }

    /** Writes any event to the scale topic, whatever its type's own topic. */
    void publishToScaleTopic(Event<?> event) throws Exception {
        producer.send(codec.toRecord(Topics.SERVICE_SCALE, event)).get(10, TimeUnit.SECONDS);
    }

    /** The reason header of the dead letter of event {@code eventId} on the scale topic's DLQ, once it is there. */
    String deadLetterReason(String eventId) {
        Map<String, Object> config = new HashMap<>(broker.consumerProps(KafkaBrokerExtension.uniqueName("dlq")));
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<String> reason = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(Topics.deadLetter(Topics.SERVICE_SCALE)));
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    var id = record.headers().lastHeader("ce_id");
                    if (id != null && eventId.equals(new String(id.value(), StandardCharsets.UTF_8))) {
                        reason.add(new String(record.headers().lastHeader(
                                dev.winch.common.kafka.DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8));
                    }
                }
                return !reason.isEmpty();
            });
        }
        return reason.get(0);
    }

    /** The partition Kafka's default partitioner puts {@code key} in. */
    static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % SCALE_PARTITIONS;
    }

    /** Everything written to {@code winch.results} since the fixture was made, by the id of its event. */
    TopicTail<ActionResult> results() {
        return results;
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
        for (Instance instance : instances) {
            instance.stop();
        }
        producer.close(Duration.ofSeconds(5));
        results.close();
    }
}
