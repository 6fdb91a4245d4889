package dev.winch.local.scaleout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.gateway.GatewayConfig;
import dev.winch.gateway.GatewayService;
import dev.winch.local.scaleout.WorkerReplicas.Replica;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.WithKafka;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three gateway replicas on three ports, as behind a load balancer, with two scaler replicas behind them: a
 * receiver created through one replica triggers through another, and the delivery status of the event, asked of
 * the third, shows what the scaler did. Requests go round the replicas; the Deployment ends at the one-by-one
 * count.
 */
@WithKafka
class GatewaysScaleOutIT {

    private static final String ADMIN_TOKEN = "admin-" + KafkaBrokerExtension.uniqueName("gateways");
    private static final String NS = "gateways";
    private static final int REQUESTS = 9;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ServiceRuntime> gateways = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private SandboxKubernetes kubernetes;
    private WorkerReplicas workers;

    @BeforeEach
    void start(KafkaBroker broker) throws Exception {
        kubernetes = SandboxKubernetes.start();
        // every topic as the local run has it, those the replicas read with 6 partitions
        workers = new WorkerReplicas(broker, kubernetes.url());
        Map<String, String> labels = Map.of("app", "web");
        kubernetes.client().apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(2)
                .withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("shop:1").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        List<Replica> scalers = List.of(workers.startScaler("scaler-1"), workers.startScaler("scaler-2"));
        WorkerReplicas.awaitAssigned(scalers);
        for (int i = 0; i < 3; i++) {
            GatewayConfig config = GatewayConfig.fromEnv(Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "WINCH_MANAGEMENT_PORT", "0",
                    "WINCH_HTTP_PORT", "0",
                    "WINCH_HTTP_HOST", "127.0.0.1",
                    "WINCH_ADMIN_TOKEN", ADMIN_TOKEN));
            ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
            gateways.add(runtime);
            ports.add(new GatewayService(runtime, config).start().await(30, TimeUnit.SECONDS));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (ServiceRuntime gateway : gateways) {
            gateway.close().await(30, TimeUnit.SECONDS);
        }
        workers.close();
        kubernetes.close();
    }

    @Test
    void aReceiverCreatedOnOneReplicaTriggersOnAnotherAndTheThirdTellsWhatBecameOfTheEvent() throws Exception {
        String receiver = KafkaBrokerExtension.uniqueName("web-up");
        HttpResponse<String> created = send(0, "POST", "/api/v1/receivers", """
                {"id":"%s","kind":"scaleService","token":"web-up-token-1","scaleService":
                 {"namespace":"%s","workload":"deployment/web","action":"up","amount":1,"min":1,"max":8}}
                """.formatted(receiver, NS));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        // the other replicas serve it once they have read it from the receivers topic
        for (int replica = 1; replica < 3; replica++) {
            int asked = replica;
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    send(asked, "GET", "/api/v1/receivers/" + receiver, null).statusCode() == 200);
        }

        // Round the replicas, as a load balancer would; the status of each event is asked of the next replica.
        List<String> eventIds = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> accepted = send((1 + i) % 3, "POST",
                    "/hooks/" + receiver + "?token=web-up-token-1", null);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            eventIds.add(new JsonObject(accepted.body()).getJsonArray("eventIds").getString(0));
        }

        for (int i = 0; i < REQUESTS; i++) {
            String eventId = eventIds.get(i);
            int asked = (2 + i) % 3;
            await().atMost(WorkerReplicas.WAIT).untilAsserted(() -> {
                JsonObject status = new JsonObject(send(asked, "GET", "/api/v1/events/" + eventId, null).body());
                assertThat(status.getString("status")).as("status of %s on replica %d", eventId, asked)
                        .isIn("applied", "noop");
            });
            JsonObject status = new JsonObject(send(asked, "GET", "/api/v1/events/" + eventId, null).body());
            assertThat(status.getString("receiver")).isEqualTo(receiver);
            assertThat(status.getString("target")).isEqualTo(NS + "/deployment/web");
            JsonArray results = status.getJsonArray("results");
            assertThat(results).isNotEmpty();
            assertThat(results.getJsonObject(0).getString("worker")).isEqualTo("scaler");
        }
        // two to eight, one at a time: six applied, three no-ops at the maximum
        assertThat(eventIds.stream().map(id -> new JsonObject(send(0, "GET", "/api/v1/events/" + id, null).body())
                .getString("status")).toList()).containsExactly("applied", "applied", "applied", "applied",
                "applied", "applied", "noop", "noop", "noop");
        assertThat(kubernetes.client().apps().deployments().inNamespace(NS).withName("web").get().getSpec()
                .getReplicas()).isEqualTo(8);
    }

    private HttpResponse<String> send(int replica, String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(replica) + path))
                .timeout(Duration.ofSeconds(10));
        if (path.startsWith("/api/")) {
            request.header("Authorization", "Bearer " + ADMIN_TOKEN);
        }
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " on replica " + replica, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
