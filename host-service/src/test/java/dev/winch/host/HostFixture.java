package dev.winch.host;

import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.Topics;
import dev.winch.common.runtime.ServiceRuntime;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * What the host service's ITs share: the topics on the shared broker, host-service replicas on their own runtime
 * and Kubernetes client (with the test's drainer and runner), a producer of requests and a tail of
 * {@code winch.results}. Each test uses its own consumer group, started at the end of the host topic.
 */
final class HostFixture implements AutoCloseable {

    static final int PARTITIONS = 4;
    static final Duration WAIT = Duration.ofSeconds(60);

    private final KafkaBroker broker;
    private final SandboxKubernetes kubernetes;
    private final String group;
    private final EventCodec codec = new EventCodec();
    private final KafkaProducer<String, byte[]> producer;
    private final TopicTail<ActionResult> results;
    private final List<ServiceRuntime> runtimes = new ArrayList<>();

    HostFixture(KafkaBroker broker, SandboxKubernetes kubernetes) {
        this.broker = broker;
        this.kubernetes = kubernetes;
        broker.createTopic(Topics.HOST_SCALE, PARTITIONS);
        broker.createTopic(Topics.RESULTS, 2);
        this.group = KafkaBrokerExtension.uniqueName("it-host");
        broker.startGroupAtEnd(group, Topics.HOST_SCALE);
        Map<String, Object> config = new HashMap<>(broker.producerProps());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(config);
        this.results = new TopicTail<>(broker, Topics.RESULTS, this::result, ActionResult::causeId);
    }

    /** Stops every replica started so far, as a SIGTERM would (in-flight work gets the shutdown timeout). */
    void stopAll() throws Exception {
        for (ServiceRuntime runtime : runtimes) {
            runtime.close().await(30, TimeUnit.SECONDS);
        }
        runtimes.clear();
    }

    /**
     * Starts a replica the way its process does: {@code ServiceMain}'s start with {@link HostMain}'s starter (the
     * drainer and runner it wires), with a client of the sandbox. Returns once it started.
     */
    ServiceRuntime startAsItsMainDoes(String instanceId) throws Exception {
        HostConfig config = config(instanceId);
        ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
        runtimes.add(runtime);
        dev.winch.common.runtime.ServiceMain.start(runtime, "127.0.0.1", config,
                HostMain.starter(settings -> newClient())).await(30, TimeUnit.SECONDS);
        return runtime;
    }

    private HostConfig config(String instanceId) {
        return HostConfig.fromEnv(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "WINCH_MANAGEMENT_PORT", "0",
                "WINCH_CONSUMER_GROUP", group,
                "WINCH_INSTANCE_ID", instanceId,
                "WINCH_RETRY_BACKOFF", "100ms",
                "WINCH_RETRY_BACKOFF_MAX", "1s",
                "WINCH_SHUTDOWN_TIMEOUT", "2s",
                "WINCH_HOST_EXEC_COMMAND", "[\"/opt/hosts/provision\"]",
                "WINCH_HOST_JOIN_POLL_INTERVAL", "200ms",
                "WINCH_HOST_JOIN_TIMEOUT", "30s"));
    }

    /** Starts a replica in this test's consumer group; returns once it holds partitions. */
    HostService start(String instanceId, dev.winch.host.kubernetes.NodeDrainer drainer, FakeRunner runner)
            throws Exception {
        HostConfig config = config(instanceId);
        ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
        runtimes.add(runtime);
        HostService service = new HostService(runtime, newClient(), config, drainer, runner);
        service.start().await(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(service::hasAssignment);
        return service;
    }

    /** The runtime of the {@code index}-th replica started (and not stopped). */
    ServiceRuntime runtime(int index) {
        return runtimes.get(index);
    }

    /** Each replica gets a client of its own: the runtime closes it on shutdown. */
    KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(kubernetes.url()).withNamespace("default").build()).build();
    }

    /** Writes events to their topic in order, keyed as the gateway keys them. */
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

    /** The partition Kafka's default partitioner puts {@code key} in. */
    static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    /** Everything written to {@code winch.results} since the fixture was made, by the id of its event. */
    TopicTail<ActionResult> results() {
        return results;
    }

    /** The results of the request {@code causeId} itself, not of its join follow-up. */
    List<ActionResult> decisions(String causeId) {
        return results.of(causeId).stream().filter(r -> !"join".equals(r.details().get("stage"))).toList();
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
        for (ServiceRuntime runtime : runtimes) {
            runtime.close().await(30, TimeUnit.SECONDS);
        }
        producer.close(Duration.ofSeconds(5));
        results.close();
    }
}
