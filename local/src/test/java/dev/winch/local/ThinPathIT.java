package dev.winch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.Topics;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.gateway.GatewayConfig;
import dev.winch.gateway.GatewayService;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.notifier.NotifierConfig;
import dev.winch.notifier.NotifierService;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.WithKafka;
import dev.winch.upgrader.UpgraderConfig;
import dev.winch.upgrader.UpgraderService;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thin path through every layer, against the real broker and the Kubernetes mock server: a Docker Hub push
 * (seed 001) POSTed to the gateway becomes an image-pushed event on Kafka, the upgrader sets the new image on the
 * Deployment's container, a result lands on winch.results and the notifier consumes it.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThinPathIT {

    private static final String TOKEN = "thin-path-token";

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ServiceRuntime> runtimes = new ArrayList<>();
    private SandboxKubernetes kubernetes;
    private ServiceRuntime notifierRuntime;
    private int gatewayPort;
    private String bootstrap;

    @BeforeAll
    void startStack(KafkaBroker kafka, @TempDir Path dir) throws Exception {
        bootstrap = kafka.bootstrapServers();
        LocalStack.createTopics(bootstrap);
        kubernetes = SandboxKubernetes.start();
        kubernetes.seedDemo();
        Path receivers = dir.resolve("receivers.yaml");
        Files.writeString(receivers, """
                receivers:
                  - id: demo-web
                    kind: redeploy
                    token: %s
                    redeploy: {namespace: demo, workload: deployment/web, container: web}
                """.formatted(TOKEN));
        String group = KafkaBrokerExtension.uniqueName("thin");

        GatewayConfig gatewayConfig = GatewayConfig.fromEnv(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrap, "WINCH_MANAGEMENT_PORT", "0", "WINCH_HTTP_PORT", "0",
                "WINCH_RECEIVERS_FILE", receivers.toString()));
        ServiceRuntime gateway = runtime(gatewayConfig.runtime());
        gatewayPort = new GatewayService(gateway, gatewayConfig).start().await(30, TimeUnit.SECONDS);

        ServiceRuntime upgrader = runtime(UpgraderConfig.fromEnv(env(group + "-upgrader")).runtime());
        new UpgraderService(upgrader, kubernetes.client()).start().await(30, TimeUnit.SECONDS);

        notifierRuntime = runtime(NotifierConfig.fromEnv(env(group + "-notifier")).runtime());
        new NotifierService(notifierRuntime).start().await(30, TimeUnit.SECONDS);
    }

    @AfterAll
    void stopStack() throws Exception {
        for (ServiceRuntime runtime : runtimes) {
            runtime.close().await(30, TimeUnit.SECONDS);
        }
        kubernetes.close();
    }

    @Test
    void dockerHubPushUpgradesTheDeploymentAndTheNotifierGetsTheResult() throws Exception {
        String before = image();
        double notified = notified("applied");

        HttpResponse<String> response = push("delivery-1", "1.1");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String eventId = new JsonObject(response.body()).getJsonArray("eventIds").getString(0);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(image()).isEqualTo("hongxiaolu/iperf3:1.1"));
        assertThat(AppliedEvents.ids(deployment().getMetadata().getAnnotations())).contains(eventId);

        ActionResult result = awaitResult(eventId);
        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.target()).isEqualTo("demo/deployment/web");
        assertThat(result.receiverId()).isEqualTo("demo-web");
        assertThat(result.details()).containsEntry("oldImage", before)
                .containsEntry("newImage", "hongxiaolu/iperf3:1.1");
        await().atMost(Duration.ofSeconds(30)).until(() -> notified("applied") > notified);
    }

    @Test
    void aReplayedDeliveryIsRecognisedAndChangesNothing() throws Exception {
        String first = new JsonObject(push("delivery-2", "1.2").body()).getJsonArray("eventIds").getString(0);
        assertThat(awaitResult(first).outcome()).isEqualTo(Outcome.APPLIED);
        String resourceVersion = deployment().getMetadata().getResourceVersion();

        HttpResponse<String> replay = push("delivery-2", "1.2");

        assertThat(replay.statusCode()).isEqualTo(202);
        String second = new JsonObject(replay.body()).getJsonArray("eventIds").getString(0);
        assertThat(second).isEqualTo(first);
        List<ActionResult> results = awaitResults(first, 2);
        assertThat(results).extracting(ActionResult::outcome).containsExactly(Outcome.APPLIED, Outcome.DUPLICATE);
        assertThat(deployment().getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
    }

    @Test
    void aWrongTokenIsRefusedAndNothingIsWritten() throws Exception {
        long written = endOffsets(Topics.IMAGE_PUSHED);

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + gatewayPort + "/hooks/demo-web?token=wrong-token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(dockerHubPayload("9.9"))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).doesNotContain(TOKEN);
        assertThat(endOffsets(Topics.IMAGE_PUSHED)).isEqualTo(written);
    }

    private long endOffsets(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < 3; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        }
    }

    private double notified(String outcome) {
        return notifierRuntime.registry().counter("winch_notifier_results_total", "outcome", outcome).count();
    }

    private HttpResponse<String> push(String deliveryId, String tag) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                        + "/hooks/demo-web?token=" + TOKEN
                        + "&ns=demo&workload=deployment/web&container=web&repo_type=dockerhub"))
                .header("Content-Type", "application/json")
                .header("X-Request-Id", deliveryId)
                .POST(HttpRequest.BodyPublishers.ofString(dockerHubPayload(tag))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The seed 001 Docker Hub sample with the given tag. */
    private static String dockerHubPayload(String tag) throws IOException {
        try (var in = ThinPathIT.class.getResourceAsStream("/payloads/dockerhub-seed001.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .replace("\"tag\": \"latest\"", "\"tag\": \"" + tag + "\"");
        }
    }

    private ActionResult awaitResult(String causeId) {
        return awaitResults(causeId, 1).get(0);
    }

    /** Reads winch.results from the start until {@code count} results of {@code causeId} were seen. */
    private List<ActionResult> awaitResults(String causeId, int count) {
        EventCodec codec = new EventCodec();
        List<ActionResult> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", bootstrap, "group.id", KafkaBrokerExtension.uniqueName("results-reader"),
                "auto.offset.reset", "earliest", "enable.auto.commit", "false",
                "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
                "value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer"))) {
            consumer.subscribe(List.of(Topics.RESULTS));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Event<?> event = codec.fromRecord(record);
                    if (event.data() instanceof ActionResult result && result.causeId().equals(causeId)) {
                        found.add(result);
                    }
                }
                return found.size() >= count;
            });
        }
        return found;
    }

    private Deployment deployment() {
        return kubernetes.client().apps().deployments().inNamespace("demo").withName("web").get();
    }

    private String image() {
        return deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private Map<String, String> env(String group) {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "WINCH_MANAGEMENT_PORT", "0",
                "WINCH_CONSUMER_GROUP", group, "WINCH_RETRY_BACKOFF", "50ms");
    }

    private ServiceRuntime runtime(dev.winch.common.config.RuntimeConfig config) throws Exception {
        ServiceRuntime runtime = ServiceRuntime.create(config);
        runtimes.add(runtime);
        runtime.startManagement("127.0.0.1").await(10, TimeUnit.SECONDS);
        return runtime;
    }
}
