package dev.winch.upgrader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.ImagePushed.UpgradeTarget;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.Topics;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.WithKafka;
import dev.winch.upgrader.kubernetes.WorkloadObjects;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two upgrader replicas in one consumer group on the real Kafka broker, against the Kubernetes mock server: they
 * share the repositories, handle the pushes of one repository in order, apply a redelivered event once, and
 * publish how a rollout ended after the apply.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpgraderServiceIT {

    private static final int WANTED_PARTITIONS = 4;
    private static final String NS = "upgrader-it";

    private final EventCodec codec = new EventCodec();
    private final List<ServiceRuntime> runtimes = new ArrayList<>();
    private final List<UpgraderService> upgraders = new ArrayList<>();
    private final List<ActionResult> results = new ArrayList<>();
    private SandboxKubernetes kubernetes;
    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> resultReader;
    private int partitions;

    @BeforeAll
    void start(KafkaBroker kafka) throws Exception {
        kafka.createTopic(Topics.IMAGE_PUSHED, WANTED_PARTITIONS);
        kafka.createTopic(Topics.deadLetter(Topics.IMAGE_PUSHED), 1);
        kafka.createTopic(Topics.RESULTS, 3);
        kubernetes = SandboxKubernetes.start();
        String group = KafkaBrokerExtension.uniqueName("upgrader-it");
        for (int i = 0; i < 2; i++) {
            UpgraderConfig config = UpgraderConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "WINCH_MANAGEMENT_PORT", "0", "WINCH_CONSUMER_GROUP", group, "WINCH_RETRY_BACKOFF", "50ms",
                    "WINCH_UPGRADER_ROLLOUT_POLL_INTERVAL", "200ms"));
            ServiceRuntime runtime = ServiceRuntime.create(config.runtime(), Clock.systemUTC());
            runtimes.add(runtime);
            // a client of its own, as each replica has: the runtime closes it on shutdown
            UpgraderService upgrader = new UpgraderService(runtime, config,
                    new KubernetesClientBuilder().withConfig(kubernetes.client().getConfiguration()).build());
            upgraders.add(upgrader);
            upgrader.start().await(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> upgraders.stream().allMatch(UpgraderService::hasAssignment));

        producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
        // the topic may exist already (one broker per test JVM): count what it has
        partitions = producer.partitionsFor(Topics.IMAGE_PUSHED).size();
        resultReader = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "enable.auto.commit", "false"), new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> resultPartitions = IntStream.range(0, 3)
                .mapToObj(p -> new TopicPartition(Topics.RESULTS, p)).toList();
        resultReader.assign(resultPartitions);
        resultReader.seekToBeginning(resultPartitions);
    }

    @AfterAll
    void stop() throws Exception {
        for (ServiceRuntime runtime : runtimes) {
            runtime.close().await(30, TimeUnit.SECONDS);
        }
        producer.close();
        resultReader.close();
        kubernetes.close();
    }

    @Test
    void twoReplicasShareTheRepositoriesAndHandleThePushesOfOneRepositoryInOrder() {
        List<String> repositories = repositoriesCoveringEveryPartition();
        for (String repository : repositories) {
            deployment(name(repository), repository + ":0");
        }
        List<String> eventIds = new ArrayList<>();
        for (int tag = 1; tag <= 5; tag++) {
            for (String repository : repositories) {
                eventIds.add(send(UUID.randomUUID().toString(), explicit(repository, String.valueOf(tag))));
            }
        }
        producer.flush();

        List<ActionResult> applied = awaitResults(r -> eventIds.contains(r.causeId())
                && "apply".equals(r.details().get("stage")), eventIds.size());

        assertThat(applied).extracting(ActionResult::outcome).containsOnly(Outcome.APPLIED);
        for (String repository : repositories) {
            String target = NS + "/deployment/" + name(repository);
            assertThat(applied).filteredOn(r -> r.target().equals(target))
                    .extracting(r -> r.details().get("newImage"))
                    .as("results of %s in the order of the pushes", target)
                    .containsExactly(repository + ":1", repository + ":2", repository + ":3", repository + ":4",
                            repository + ":5");
            assertThat(image(name(repository))).isEqualTo(repository + ":5");
        }
        for (ServiceRuntime runtime : runtimes) {
            assertThat(runtime.registry().find("winch_consumer_records_total")
                    .tags("topic", Topics.IMAGE_PUSHED, "outcome", "handled").counter())
                    .as("each replica handled some of the pushes").isNotNull()
                    .satisfies(counter -> assertThat(counter.count()).isPositive());
        }
    }

    @Test
    void aRedeliveredEventIsAppliedOnce() {
        deployment("redelivered", "team/redelivered:1");
        String eventId = UUID.randomUUID().toString();
        ImagePushed push = explicit("team/redelivered", "2");
        send(eventId, push);
        producer.flush();
        awaitResults(r -> r.causeId().equals(eventId), 1);
        String written = resourceVersion("redelivered");

        send(eventId, push);
        producer.flush();

        List<ActionResult> both = awaitResults(r -> r.causeId().equals(eventId), 2);
        assertThat(both).extracting(ActionResult::outcome).containsExactly(Outcome.APPLIED, Outcome.DUPLICATE);
        assertThat(resourceVersion("redelivered")).isEqualTo(written);
        assertThat(image("redelivered")).isEqualTo("team/redelivered:2");
    }

    @Test
    void theRolloutOutcomeIsPublishedAfterTheApplyOnceTheControllerReportsIt() {
        deployment("tracked", "team/tracked:1");
        String eventId = send(UUID.randomUUID().toString(), explicit("team/tracked", "2"));
        producer.flush();
        ActionResult applied = awaitResults(r -> r.causeId().equals(eventId), 1).get(0);
        assertThat(applied.details()).containsEntry("stage", "apply");

        Deployment d = kubernetes.client().apps().deployments().inNamespace(NS).withName("tracked").get();
        d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(2).withUpdatedReplicas(2).withReadyReplicas(2).withAvailableReplicas(2).build());
        kubernetes.client().resource(d).updateStatus();

        List<ActionResult> both = awaitResults(r -> r.causeId().equals(eventId), 2);
        assertThat(both.get(1).outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(both.get(1).details()).containsEntry("stage", "rollout")
                .containsEntry("newImage", "team/tracked:2");
        assertThat(both.get(1).reason()).contains("completed");
    }

    @Test
    void aSelectorPushReachesEveryMatchingWorkloadAcrossNamespaces() {
        for (String namespace : List.of("it-a", "it-b", "it-c")) {
            kubernetes.client().apps().deployments().inNamespace(namespace).resource(deploymentOf(namespace,
                    "web", Map.of("tier", "front"), "team/selected:1")).create();
        }
        String eventId = send(UUID.randomUUID().toString(), new ImagePushed("it", "team/selected", "2", null, null,
                "dockerhub", new UpgradeTarget(null, null, Map.of("tier", "front"), List.of("it-a", "it-c"), 1, 2,
                        true)));
        producer.flush();

        List<ActionResult> applied = awaitResults(r -> r.causeId().equals(eventId), 2);

        assertThat(applied).extracting(ActionResult::target).containsExactlyInAnyOrder("it-a/deployment/web",
                "it-c/deployment/web");
        assertThat(kubernetes.client().apps().deployments().inNamespace("it-b").withName("web").get().getSpec()
                .getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("team/selected:1");
    }

    // ---------------------------------------------------------------- helpers

    /** Repositories whose record keys land on every partition, two per partition. */
    private List<String> repositoriesCoveringEveryPartition() {
        Map<Integer, List<String>> byPartition = new HashMap<>();
        String run = UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; byPartition.values().stream().mapToInt(List::size).sum() < 2 * partitions; i++) {
            String repository = "team/app-" + run + "-" + i;
            // the default partitioner's choice for a keyed record
            int partition = Utils.toPositive(Utils.murmur2(repository.getBytes(StandardCharsets.UTF_8))) % partitions;
            List<String> here = byPartition.computeIfAbsent(partition, p -> new ArrayList<>());
            if (here.size() < 2) {
                here.add(repository);
            }
        }
        return byPartition.values().stream().flatMap(List::stream).toList();
    }

    private static String name(String repository) {
        return repository.substring(repository.indexOf('/') + 1);
    }

    private static ImagePushed explicit(String repository, String tag) {
        return new ImagePushed("it", repository, tag, null, null, "dockerhub",
                UpgradeTarget.explicit(new WorkloadRef(NS, "deployment", name(repository)), "app"));
    }

    private String send(String eventId, ImagePushed push) {
        Event<ImagePushed> event = new Event<>(eventId, URI.create("/test/upgrader-it"), java.time.Instant.now(),
                push);
        producer.send(codec.toRecord(event));
        return eventId;
    }

    private static Deployment deploymentOf(String namespace, String name, Map<String, String> labels, String image) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                  .withReplicas(2)
                  .withNewSelector().withMatchLabels(Map.of("pod", name)).endSelector()
                  .withNewTemplate()
                    .withNewMetadata().withLabels(Map.of("pod", name)).endMetadata()
                    .withNewSpec()
                      .withContainers(new ContainerBuilder().withName("app").withImage(image).build())
                    .endSpec()
                  .endTemplate()
                .endSpec()
                .build();
    }

    private void deployment(String name, String image) {
        kubernetes.client().apps().deployments().inNamespace(NS).resource(deploymentOf(NS, name, Map.of(), image))
                .create();
    }

    private String image(String name) {
        return WorkloadObjects.snapshot(kubernetes.client().apps().deployments().inNamespace(NS).withName(name)
                .get()).containers().get(0).image();
    }

    private String resourceVersion(String name) {
        return kubernetes.client().apps().deployments().inNamespace(NS).withName(name).get().getMetadata()
                .getResourceVersion();
    }

    /** Reads winch.results until {@code count} results match; returns them in the order read. */
    private List<ActionResult> awaitResults(Predicate<ActionResult> wanted, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (ConsumerRecord<String, byte[]> record : resultReader.poll(Duration.ofMillis(200))) {
                if (codec.fromRecord(record).data() instanceof ActionResult result) {
                    results.add(result);
                }
            }
            return results.stream().filter(wanted).count() >= count;
        });
        return results.stream().filter(wanted).toList();
    }
}
