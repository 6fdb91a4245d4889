package dev.winch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.gateway.GatewayConfig;
import dev.winch.gateway.GatewayService;
import dev.winch.scaler.ScalerConfig;
import dev.winch.scaler.ScalerService;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.WithKafka;
import io.vertx.core.json.JsonObject;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000 end to end: Prometheus' CpuUsageSpike rule labels its alerts {@code action: up}, Alertmanager routes
 * {@code action=up} to one receiver URL and {@code action=down} to another; each Winch receiver scales the
 * Deployment its way by its amount, within its bounds. The payloads are Alertmanager v4 notifications.
 * The steps build on each other (2 replicas to start), so they run in order.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertmanagerScalingIT {

    private static final Path PAYLOADS = Path.of("../gateway/src/test/resources/payloads");

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ServiceRuntime> runtimes = new ArrayList<>();
    private SandboxKubernetes kubernetes;
    private int gatewayPort;

    @BeforeAll
    void startStack(KafkaBroker kafka, @TempDir Path dir) throws Exception {
        LocalStack.createTopics(kafka.bootstrapServers());
        kubernetes = SandboxKubernetes.start();
        kubernetes.seedDemo();
        Path receivers = dir.resolve("receivers.yaml");
        Files.writeString(receivers, """
                receivers:
                  - id: web-up
                    kind: scaleService
                    token: up-token-123
                    scaleService: {namespace: demo, workload: deployment/web, action: up, amount: 1, min: 1, max: 5}
                  - id: web-down
                    kind: scaleService
                    token: down-token-123
                    scaleService: {namespace: demo, workload: deployment/web, action: down, amount: 1, min: 1, max: 5}
                """);
        String group = KafkaBrokerExtension.uniqueName("alerts");
        GatewayConfig gatewayConfig = GatewayConfig.fromEnv(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "WINCH_MANAGEMENT_PORT", "0",
                "WINCH_HTTP_PORT", "0", "WINCH_RECEIVERS_FILE", receivers.toString()));
        gatewayPort = new GatewayService(runtime(gatewayConfig.runtime()), gatewayConfig).start()
                .await(30, TimeUnit.SECONDS);
        ScalerConfig scalerConfig = ScalerConfig.fromEnv(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "WINCH_MANAGEMENT_PORT", "0",
                "WINCH_CONSUMER_GROUP", group + "-scaler", "WINCH_RETRY_BACKOFF", "50ms"));
        new ScalerService(runtime(scalerConfig.runtime()), kubernetes.client(), scalerConfig).start()
                .await(30, TimeUnit.SECONDS);
    }

    @AfterAll
    void stopStack() throws Exception {
        for (ServiceRuntime runtime : runtimes) {
            runtime.close().await(30, TimeUnit.SECONDS);
        }
        kubernetes.close();
    }

    @Test
    @Order(1)
    void aFiringUpNotificationScalesUpByTheAmountForEachAlert() throws Exception {
        assertThat(replicas()).isEqualTo(2);

        HttpResponse<String> response = post("web-up", "up-token-123", "alertmanager-firing-up.json");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(new JsonObject(response.body()).getJsonArray("eventIds")).hasSize(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> replicas() == 4);
    }

    @Test
    @Order(2)
    void alertmanagerRetryingTheSameNotificationScalesNoFurther() throws Exception {
        HttpResponse<String> first = post("web-up", "up-token-123", "alertmanager-firing-up.json");

        assertThat(first.statusCode()).isEqualTo(202);
        String eventId = new JsonObject(first.body()).getJsonArray("eventIds").getString(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> outcomes(eventId).contains("DUPLICATE"));
        assertThat(outcomes(eventId)).containsExactly("APPLIED", "DUPLICATE");
        assertThat(status(eventId).getString("status")).isEqualTo("applied");
        assertThat(replicas()).isEqualTo(4);
    }

    @Test
    @Order(3)
    void aDownAlertSentToTheUpReceiverIsSkippedWithAReason() throws Exception {
        HttpResponse<String> response = post("web-up", "up-token-123", "alertmanager-firing-down.json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getString("message"))
                .contains("asks for action=down").contains("scales up");
        assertThat(replicas()).isEqualTo(4);
    }

    @Test
    @Order(4)
    void aFiringDownNotificationScalesDownByTheAmount() throws Exception {
        HttpResponse<String> response = post("web-down", "down-token-123", "alertmanager-firing-down.json");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> replicas() == 3);
    }

    @Test
    @Order(5)
    void aResolvedNotificationDoesNothingByDefaultAndSaysSo() throws Exception {
        HttpResponse<String> response = post("web-up", "up-token-123", "alertmanager-resolved-up.json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getString("message")).contains("ignores resolved alerts");
        assertThat(new JsonObject(response.body()).getJsonArray("eventIds")).isEmpty();
        assertThat(replicas()).isEqualTo(3);
    }

    private HttpResponse<String> post(String receiver, String token, String payload) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + gatewayPort + "/hooks/" + receiver + "?token=" + token))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(PAYLOADS.resolve(payload))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The delivery status the gateway's admin API reports (loopback, no admin token configured). */
    private JsonObject status(String eventId) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + gatewayPort + "/api/v1/events/" + eventId)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? new JsonObject(response.body()) : new JsonObject();
    }

    private List<String> outcomes(String eventId) throws Exception {
        return status(eventId).getJsonArray("results", new io.vertx.core.json.JsonArray()).stream()
                .map(result -> ((JsonObject) result).getString("outcome")).toList();
    }

    private int replicas() {
        return kubernetes.client().apps().deployments().inNamespace("demo").withName("web").get()
                .getSpec().getReplicas();
    }

    private ServiceRuntime runtime(RuntimeConfig config) throws Exception {
        ServiceRuntime runtime = ServiceRuntime.create(config);
        runtimes.add(runtime);
        runtime.startManagement("127.0.0.1").await(10, TimeUnit.SECONDS);
        return runtime;
    }
}
