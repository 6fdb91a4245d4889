package dev.winch.gateway;

import static dev.winch.gateway.Http.assertApiError;
import static dev.winch.gateway.Http.eventIds;
import static dev.winch.gateway.Http.json;
import static dev.winch.gateway.Http.to;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.event.WorkloadRef;
import dev.winch.gateway.auth.Tokens;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.WithKafka;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gateway over real HTTP against the real broker: every status code with the one error shape, what lands on
 * Kafka (read back and decoded as a worker would), replay mapping, the admin API and the delivery status.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayIT {

    private static final String ADMIN_TOKEN = "admin-" + KafkaBrokerExtension.uniqueName("token");
    private static final String PUBLIC_URL = "https://hooks.example.com";
    private static final int MAX_BODY_BYTES = 16 * 1024;

    private final Http http = new Http();
    private LogCapture logs;
    private String bootstrap;
    private EventLog kafka;
    private RunningGateway gateway;

    @BeforeAll
    void startGateway(KafkaBroker broker) throws Exception {
        logs = LogCapture.attach();
        bootstrap = broker.bootstrapServers();
        GatewayTopics.create(broker);
        kafka = new EventLog(bootstrap);
        gateway = RunningGateway.start(bootstrap, Map.of(
                "WINCH_ADMIN_TOKEN", ADMIN_TOKEN,
                "WINCH_PUBLIC_URL", PUBLIC_URL,
                "WINCH_MAX_BODY_BYTES", String.valueOf(MAX_BODY_BYTES)));
    }

    @AfterAll
    void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        logs.close();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** JSON written with single quotes. */
    static String q(String json) {
        return json.replace('\'', '"');
    }

    static String id(String prefix) {
        return KafkaBrokerExtension.uniqueName(prefix);
    }

    HttpResponse<String> admin(String method, String path, String body) {
        HttpRequest.Builder request = to(gateway.uri("/api/v1" + path)).header("Authorization", "Bearer " + ADMIN_TOKEN);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(q(body)));
        }
        return http.send(request);
    }

    /** Creates a receiver through the admin API; the answer, which holds the token this once. */
    JsonObject create(String receiver) {
        HttpResponse<String> response = admin("POST", "/receivers", receiver);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json(response);
    }

    String scaleUp(String id, String token) {
        create("""
                {'id':'%s','kind':'scaleService','token':'%s','scaleService':{'namespace':'demo',
                 'workload':'deployment/web','action':'up','amount':2,'min':1,'max':6,'cooldownSeconds':30}}
                """.formatted(id, token));
        return id;
    }

    String openRedeploy(String id, String token) {
        create("{'id':'%s','kind':'redeploy','token':'%s'}".formatted(id, token));
        return id;
    }

    HttpResponse<String> post(String id, String query, String contentType, String body, String... headers) {
        HttpRequest.Builder request = to(gateway.uri("/hooks/" + id + query));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        request.POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request);
    }

    HttpResponse<String> postJsonTo(String id, String query, String body, String... headers) {
        return post(id, query, "application/json", body, headers);
    }

    /** A request and what it wrote: the events between the topic's end before and right after the answer. */
    record Written(HttpResponse<String> response, List<Event<?>> events) {

        Event<?> event(String id) {
            return events.stream().filter(e -> e.id().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("event " + id + " is not on the topic: " + events));
        }

        <T> T only(Class<T> type) {
            List<String> ids = eventIds(response);
            assertThat(ids).hasSize(1);
            return type.cast(event(ids.get(0)).data());
        }
    }

    Written written(String topic, Supplier<HttpResponse<String>> call) {
        Map<TopicPartition, Long> before = kafka.endOffsets(topic);
        HttpResponse<String> response = call.get();
        // Read up to the end as it is right after the answer: a 202 must only name events already stored there.
        Map<TopicPartition, Long> after = kafka.endOffsets(topic);
        return new Written(response, kafka.read(topic, before, after));
    }

    static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    // ---- status codes --------------------------------------------------------------------------------------

    @Nested
    class StatusCodes {

        private final String token = "status-token-1";

        @Test
        void malformedJsonIs400NamingTheBodyAsTheField() {
            String receiver = scaleUp(id("malformed"), token);

            HttpResponse<String> response = postJsonTo(receiver, "?token=" + token, "{\"alerts\": [");

            assertThat(assertApiError(response, 400, "invalid_payload")).containsExactly("$");
            assertThat(json(response).getJsonArray("validationErrors").getJsonObject(0).getString("message"))
                    .contains("malformed JSON", "line 1");
        }

        @Test
        void aBodyThatIsNotAnObjectIs400() {
            String receiver = scaleUp(id("array"), token);

            assertThat(assertApiError(postJsonTo(receiver, "?token=" + token, "[1, 2]"), 400, "invalid_payload"))
                    .containsExactly("$");
        }

        @Test
        void aMissingPayloadFieldIs400WithItsPath() {
            String receiver = openRedeploy(id("missing"), token);
            ObjectNode body = Samples.json("dockerhub.json");
            ((ObjectNode) body.get("push_data")).remove("tag");

            HttpResponse<String> response = postJsonTo(receiver,
                    "?token=" + token + "&ns=demo&workload=deployment/web&container=web", body.toString());

            assertThat(assertApiError(response, 400, "invalid_payload")).containsExactly("push_data.tag");
        }

        @Test
        void urlParametersThatDoNotFitTheReceiverAre400WithQueryPaths() {
            String receiver = id("pinned");
            create("""
                    {'id':'%s','kind':'redeploy','token':'%s','redeploy':{'namespace':'demo',
                     'workload':'deployment/web','container':'web'}}
                    """.formatted(receiver, token));

            HttpResponse<String> response = postJsonTo(receiver, "?token=" + token + "&ns=prod",
                    Samples.text("dockerhub.json"));

            assertThat(assertApiError(response, 400, "invalid_payload")).containsExactly("query.ns");
        }

        @Test
        void anUnknownReceiverAndBadCredentialsGetTheSame404() {
            String receiver = scaleUp(id("known"), token);
            String other = scaleUp(id("other"), "other-token-2");

            List<HttpResponse<String>> answers = List.of(
                    post(id("unknown"), "?token=" + token, null, null),
                    post(receiver, "?token=wrong-token-9", null, null),
                    post(receiver, "", null, null),
                    post(receiver, "?token=other-token-2", null, null),
                    post(other, "", null, null, "Authorization", "Bearer " + token));

            for (HttpResponse<String> answer : answers) {
                assertApiError(answer, 404, "not_found");
                assertThat(answer.body()).isEqualTo(answers.get(0).body())
                        .doesNotContain(token).doesNotContain("wrong-token-9").doesNotContain(receiver);
            }
        }

        @Test
        void aWrongMethodIs405() {
            String receiver = scaleUp(id("method"), token);

            assertApiError(http.get(gateway.uri("/hooks/" + receiver + "?token=" + token)), 405,
                    "method_not_allowed");
            assertApiError(http.send(to(gateway.uri("/hooks/" + receiver + "?token=" + token))
                    .PUT(HttpRequest.BodyPublishers.ofString("{}"))), 405, "method_not_allowed");
        }

        @Test
        void aBodyOverTheLimitIs413() {
            String receiver = scaleUp(id("large"), token);
            String body = "{\"padding\": \"" + "x".repeat(MAX_BODY_BYTES + 1) + "\"}";

            assertApiError(postJsonTo(receiver, "?token=" + token, body), 413, "payload_too_large");
        }

        @Test
        void aChunkedBodyOverTheLimitIs413AsSoonAsItIsExceeded() {
            String receiver = scaleUp(id("large-chunked"), token);
            byte[] body = ("{\"padding\": \"" + "x".repeat(MAX_BODY_BYTES + 1) + "\"}").getBytes(UTF_8);

            // No Content-Length: the limit can only be found while reading.
            HttpResponse<String> answer = http.send(to(gateway.uri("/hooks/" + receiver + "?token=" + token))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

            assertApiError(answer, 413, "payload_too_large");
        }

        @Test
        void aChunkedBodyWithinTheLimitIsRead() {
            String receiver = scaleUp(id("chunked"), token);
            byte[] body = "{\"note\": \"sent in chunks\"}".getBytes(UTF_8);

            HttpResponse<String> answer = http.send(to(gateway.uri("/hooks/" + receiver + "?token=" + token))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        }

        @Test
        void aHookPathTheRouterHasToNormaliseReachesTheSameReceiver() {
            String receiver = scaleUp(id("encoded"), token);
            String encoded = "%" + Integer.toHexString(receiver.charAt(0)) + receiver.substring(1);

            HttpResponse<String> answer = http.send(to(gateway.uri("/hooks/" + encoded + "?token=" + token))
                    .POST(HttpRequest.BodyPublishers.noBody()));

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            assertThat(new JsonObject(answer.body()).getString("receiver")).isEqualTo(receiver);
        }

        @Test
        void aBodyThatIsNotJsonIs415() {
            String receiver = scaleUp(id("media"), token);

            assertApiError(post(receiver, "?token=" + token, "text/plain", "scale please"), 415,
                    "unsupported_media_type");
            assertApiError(post(receiver, "?token=" + token, "application/xml", "<scale/>"), 415,
                    "unsupported_media_type");
        }

        @Test
        void overThePerReceiverRateLimitIs429WithRetryAfter() {
            String limited = id("limited");
            create("""
                    {'id':'%s','kind':'scaleService','token':'%s','rateLimit':{'perSecond':0.01,'burst':2},
                     'scaleService':{'namespace':'demo','workload':'deployment/web','action':'up','max':3}}
                    """.formatted(limited, token));
            String neighbour = scaleUp(id("neighbour"), token);

            assertThat(post(limited, "?token=" + token, null, null).statusCode()).isEqualTo(202);
            assertThat(post(limited, "?token=" + token, null, null).statusCode()).isEqualTo(202);
            HttpResponse<String> third = post(limited, "?token=" + token, null, null);

            assertApiError(third, 429, "rate_limited");
            assertThat(third.headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
                    assertThat(Long.parseLong(seconds)).isBetween(1L, 100L));
            assertThat(post(neighbour, "?token=" + token, null, null).statusCode())
                    .as("the limit is per receiver").isEqualTo(202);
        }

        @Test
        void anUnknownPathIs404InTheSameShape() {
            assertApiError(http.get(gateway.uri("/no/such/thing")), 404, "not_found");
        }
    }

    // ---- what is written -----------------------------------------------------------------------------------

    @Nested
    class Accepted {

        private final String token = "accepted-token-1";

        @Test
        void aPlainPostIs202OnlyOnceItsSelfContainedScaleEventIsOnTheTopic() {
            String receiver = scaleUp(id("web-up"), token);

            Written written = written(Topics.SERVICE_SCALE, () -> post(receiver, "?token=" + token, null, null));

            assertThat(written.response().statusCode()).as(written.response().body()).isEqualTo(202);
            assertThat(json(written.response()).getString("receiver")).isEqualTo(receiver);
            Event<?> event = written.event(eventIds(written.response()).get(0));
            assertThat(event.data()).isEqualTo(new ServiceScaleRequested(receiver,
                    new WorkloadRef("demo", "deployment", "web"), ScaleAction.UP, 2, 1, 6, 30));
            assertThat(event.key()).isEqualTo("demo/deployment/web");
            assertThat(event.type().type()).isEqualTo("dev.winch.service.scale.requested");
            assertThat(event.source()).isEqualTo(URI.create("/winch/gateway/hooks/" + receiver));
        }

        @Test
        void hookRequestsAreCountedAndTimedByOutcome() {
            String receiver = scaleUp(id("metered"), token);
            assertThat(post(receiver, "?token=" + token, null, null).statusCode()).isEqualTo(202);
            assertThat(post(receiver, "?token=wrong-token-7", null, null).statusCode()).isEqualTo(404);

            String metrics = http.get(gateway.managementUri("/metrics")).body();

            assertThat(metrics).containsPattern("(?m)^winch_gateway_requests_total\\{.*outcome=\"accepted\".*} [1-9]")
                    .containsPattern("(?m)^winch_gateway_request_seconds_count\\{.*outcome=\"accepted\".*} [1-9]")
                    .containsPattern("(?m)^winch_gateway_request_seconds_count\\{.*outcome=\"not_found\".*} [1-9]")
                    .as("Vert.x's own per-request meters are off for the gateway")
                    .doesNotContain("vertx_http_server_requests_total");
        }

        @Test
        void aHostReceiverWritesTheHostGroupAndItsBounds() {
            String receiver = id("workers-down");
            create("""
                    {'id':'%s','kind':'scaleHost','token':'%s','scaleHost':{'hostSelector':{'winch.dev/group':'workers'},
                     'action':'down','amount':1,'min':2,'max':8}}
                    """.formatted(receiver, token));

            Written written = written(Topics.HOST_SCALE, () -> post(receiver, "", null, null, "X-Winch-Token", token));

            assertThat(written.only(HostScaleRequested.class)).isEqualTo(new HostScaleRequested(receiver,
                    Map.of("winch.dev/group", "workers"), ScaleAction.DOWN, 1, 2, 8, "mostRecent"));
        }

        @Test
        void theTokenIsAcceptedInTheQueryTheWinchHeaderAndAsBearer() {
            String receiver = scaleUp(id("token-ways"), token);

            assertThat(post(receiver, "?token=" + token, null, null).statusCode()).isEqualTo(202);
            assertThat(post(receiver, "", null, null, "X-Winch-Token", token).statusCode()).isEqualTo(202);
            assertThat(post(receiver, "", null, null, "Authorization", "Bearer " + token).statusCode()).isEqualTo(202);
        }

        @Test
        void anHmacReceiverNeedsAValidSignatureOfTheRawBody() throws Exception {
            String receiver = id("signed");
            String secret = "hmac-secret-" + receiver;
            create("""
                    {'id':'%s','kind':'scaleService','hmacSecret':'%s','scaleService':{'namespace':'demo',
                     'workload':'deployment/web','action':'up','max':3}}
                    """.formatted(receiver, secret));
            String body = "{\"reason\":\"deploy\"}";

            assertThat(postJsonTo(receiver, "", body, "X-Hub-Signature-256", hmac(secret, body)).statusCode())
                    .isEqualTo(202);
            assertApiError(postJsonTo(receiver, "", body), 404, "not_found");
            assertApiError(postJsonTo(receiver, "", body, "X-Hub-Signature-256", hmac("another-secret", body)),
                    404, "not_found");
            assertApiError(postJsonTo(receiver, "", body + " ", "X-Hub-Signature-256", hmac(secret, body)),
                    404, "not_found");
        }

        @Test
        void allowedCidrsAdmitOnlySendersFromThoseBlocks() {
            String elsewhere = id("cidr-deny");
            create("""
                    {'id':'%s','kind':'scaleService','token':'%s','allowedCidrs':['10.0.0.0/8'],
                     'scaleService':{'namespace':'demo','workload':'deployment/web','action':'up','max':3}}
                    """.formatted(elsewhere, token));
            String local = id("cidr-allow");
            create("""
                    {'id':'%s','kind':'scaleService','token':'%s','allowedCidrs':['10.0.0.0/8','127.0.0.0/8'],
                     'scaleService':{'namespace':'demo','workload':'deployment/web','action':'up','max':3}}
                    """.formatted(local, token));

            assertApiError(post(elsewhere, "?token=" + token, null, null), 404, "not_found");
            assertThat(post(local, "?token=" + token, null, null).statusCode()).isEqualTo(202);
        }
    }

    // ---- every adapter through HTTP ------------------------------------------------------------------------

    @Nested
    class Adapters {

        private final String token = "adapter-token-1";
        private static final String TARGET = "&ns=demo&workload=deployment/web&container=web";

        private ImagePushed pushed(String receiver, String query, String contentType, String body) {
            Written written = written(Topics.IMAGE_PUSHED,
                    () -> post(receiver, "?token=" + token + TARGET + query, contentType, body));
            ImagePushed pushed = written.only(ImagePushed.class);
            assertThat(pushed.receiverId()).isEqualTo(receiver);
            assertThat(pushed.target()).isEqualTo(ImagePushed.UpgradeTarget.explicit(
                    new WorkloadRef("demo", "deployment", "web"), "web"));
            // keyed by the repository in its one canonical spelling, so pushes of it stay in order
            assertThat(written.event(eventIds(written.response()).get(0)).key())
                    .isEqualTo(dev.winch.common.image.ImageReference.parse(pushed.repository()).canonicalRepository());
            return pushed;
        }

        private List<String> rejected(String receiver, String query, String body) {
            return assertApiError(postJsonTo(receiver, "?token=" + token + TARGET + query, body), 400,
                    "invalid_payload");
        }

        @Test
        void dockerHubSampleBecomesAPushOfItsRepository() {
            String receiver = openRedeploy(id("dockerhub"), token);

            ImagePushed pushed = pushed(receiver, "", "application/json", Samples.text("dockerhub.json"));

            assertThat(pushed.image()).isEqualTo("hongxiaolu/iperf3:latest");
            assertThat(pushed.pusher()).isEqualTo("hongxiaolu");
            assertThat(pushed.payloadFormat()).isEqualTo("dockerhub");
        }

        @Test
        void brokenDockerHubPayloadIsRejected() {
            String receiver = openRedeploy(id("dockerhub-bad"), token);
            ObjectNode body = Samples.json("dockerhub.json");
            ((ObjectNode) body.get("repository")).put("repo_name", "Upper/Case");

            assertThat(rejected(receiver, "", body.toString())).containsExactly("repository.repo_name");
        }

        @Test
        void aliyunSampleNamesTheRegistryHostOfTheNetTypeInTheUrl() {
            String receiver = openRedeploy(id("aliyun"), token);
            String body = Samples.text("aliyun.json");

            assertThat(pushed(receiver, "&repo_type=aliyun", "application/json", body).repository())
                    .isEqualTo("registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook");
            assertThat(pushed(receiver, "&repo_type=aliyun&net_type=vpc", "application/json", body).repository())
                    .isEqualTo("registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook");
            ImagePushed internal = pushed(receiver, "&repo_type=aliyun&net_type=internal", "application/json", body);
            assertThat(internal.image()).isEqualTo("registry-internal.cn-shanghai.aliyuncs.com/rancher_cn/webhook:latest");
            assertThat(internal.digest()).as("whitespace in the seed's digest is stripped")
                    .startsWith("sha256:f66daa126e9f").doesNotContainAnyWhitespaces();
        }

        @Test
        void brokenAliyunRequestsAreRejected() {
            String receiver = openRedeploy(id("aliyun-bad"), token);
            ObjectNode body = Samples.json("aliyun.json");
            ((ObjectNode) body.get("repository")).put("region", "CN Shanghai");

            assertThat(rejected(receiver, "&repo_type=aliyun&net_type=satellite", Samples.text("aliyun.json")))
                    .containsExactly("query.net_type");
            assertThat(rejected(receiver, "&repo_type=aliyun", body.toString())).containsExactly("repository.region");
        }

        @Test
        void harborSampleBecomesAPushWithItsDigestAndOperator() {
            String receiver = openRedeploy(id("harbor"), token);

            ImagePushed pushed = pushed(receiver, "&repo_type=harbor", "application/json",
                    Samples.text("harbor-push.json"));

            assertThat(pushed.image()).isEqualTo("hub.harbor.com/test-webhook/debian:latest");
            assertThat(pushed.digest())
                    .isEqualTo("sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8");
            assertThat(pushed.pusher()).isEqualTo("admin");
        }

        @Test
        void brokenHarborPayloadIsRejectedAndAPullDoesNothing() {
            String receiver = openRedeploy(id("harbor-bad"), token);
            ObjectNode body = Samples.json("harbor-push.json");
            ((ObjectNode) body.at("/event_data/resources/0")).put("resource_url", "/test-webhook/debian:latest");

            assertThat(rejected(receiver, "&repo_type=harbor", body.toString()))
                    .containsExactly("event_data.resources[0].resource_url");
            HttpResponse<String> pull = postJsonTo(receiver, "?token=" + token + TARGET + "&repo_type=harbor",
                    Samples.text("harbor-pull.json"));
            assertThat(pull.statusCode()).isEqualTo(200);
            assertThat(json(pull).getString("message")).isEqualTo("the payload names no pushed image");
        }

        @Test
        void registryNotificationIsAcceptedWithTheRegistrysOwnMediaType() {
            String receiver = openRedeploy(id("registry"), token);

            ImagePushed pushed = pushed(receiver, "&repo_type=registry",
                    "application/vnd.docker.distribution.events.v1+json", Samples.text("registry-push.json"));

            assertThat(pushed.image()).isEqualTo("registry.git.erxes.io/shinebayar-g/a:0.01");
            assertThat(pushed.pusher()).isEqualTo("shinebayar-g");
        }

        @Test
        void brokenRegistryNotificationIsRejected() {
            String receiver = openRedeploy(id("registry-bad"), token);
            ObjectNode body = Samples.json("registry-push.json");
            ((ObjectNode) body.at("/events/0/request")).remove("host");

            assertThat(rejected(receiver, "&repo_type=registry", body.toString()))
                    .containsExactly("events[0].request.host");
        }

        @Test
        void customPayloadOfABuildJobBecomesAPush() {
            String receiver = openRedeploy(id("custom"), token);

            assertThat(pushed(receiver, "&repo_type=custom", "application/json", Samples.text("custom.json")).image())
                    .isEqualTo("registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:latest");
        }

        @Test
        void brokenCustomPayloadIsRejected() {
            String receiver = openRedeploy(id("custom-bad"), token);
            ObjectNode body = Samples.json("custom.json");
            ((ObjectNode) body.get("repository")).put("repo_url", true);

            assertThat(rejected(receiver, "&repo_type=custom", body.toString())).containsExactly("repository.repo_url");
        }

        @Test
        void alertmanagerNotificationScalesOncePerFiringAlert() {
            String receiver = scaleUp(id("alerts"), token);

            Written written = written(Topics.SERVICE_SCALE, () -> postJsonTo(receiver, "?token=" + token,
                    Samples.text("alertmanager-firing-up.json")));

            List<String> ids = eventIds(written.response());
            assertThat(ids).hasSize(2).doesNotHaveDuplicates();
            for (String id : ids) {
                assertThat(written.event(id).data()).isEqualTo(new ServiceScaleRequested(receiver,
                        new WorkloadRef("demo", "deployment", "web"), ScaleAction.UP, 2, 1, 6, 30));
            }
        }

        @Test
        void brokenAlertmanagerNotificationIsRejected() {
            String receiver = scaleUp(id("alerts-bad"), token);
            ObjectNode body = Samples.json("alertmanager-firing-up.json");
            ((ObjectNode) body.at("/alerts/0")).put("startsAt", "yesterday");

            assertThat(assertApiError(postJsonTo(receiver, "?token=" + token, body.toString()), 400,
                    "invalid_payload")).containsExactly("alerts[0].startsAt");
        }
    }

    // ---- replays -------------------------------------------------------------------------------------------

    @Nested
    class Replay {

        private final String token = "replay-token-1";

        @Test
        void theSameRequestIdTwiceMapsToTheSameEventId() {
            String receiver = scaleUp(id("replay"), token);

            String first = eventIds(post(receiver, "?token=" + token, null, null, "X-Request-Id", "delivery-7")).get(0);
            String again = eventIds(post(receiver, "?token=" + token, null, null, "X-Request-Id", "delivery-7")).get(0);
            String other = eventIds(post(receiver, "?token=" + token, null, null, "X-Request-Id", "delivery-8")).get(0);

            assertThat(again).isEqualTo(first);
            assertThat(other).isNotEqualTo(first);
        }

        @Test
        void withoutADeliveryIdEveryRequestIsANewEvent() {
            String receiver = scaleUp(id("fresh"), token);

            assertThat(eventIds(post(receiver, "?token=" + token, null, null)))
                    .isNotEqualTo(eventIds(post(receiver, "?token=" + token, null, null)));
        }

        @Test
        void theSameDeliveryToAnotherReceiverIsAnotherEvent() {
            String one = scaleUp(id("one"), token);
            String two = scaleUp(id("two"), token);

            assertThat(eventIds(post(one, "?token=" + token, null, null, "X-Request-Id", "shared")))
                    .doesNotContainAnyElementsOf(eventIds(post(two, "?token=" + token, null, null,
                            "X-Request-Id", "shared")));
        }

        @Test
        void aRetriedAlertmanagerNotificationMapsToTheSameEventIds() {
            String receiver = scaleUp(id("am-retry"), token);
            String body = Samples.text("alertmanager-firing-up.json");

            List<String> first = eventIds(postJsonTo(receiver, "?token=" + token, body));
            List<String> retried = eventIds(postJsonTo(receiver, "?token=" + token, body));

            assertThat(first).hasSize(2).doesNotHaveDuplicates();
            assertThat(retried).isEqualTo(first);
        }

        @Test
        void aRetriedHarborDeliveryMapsToTheSameEventIdWithoutAnyHeader() {
            String receiver = openRedeploy(id("harbor-retry"), token);
            String query = "?token=" + token + "&ns=demo&workload=deployment/web&container=web&repo_type=harbor";

            assertThat(eventIds(postJsonTo(receiver, query, Samples.text("harbor-push.json"))))
                    .isEqualTo(eventIds(postJsonTo(receiver, query, Samples.text("harbor-push.json"))));
        }
    }

    // ---- nothing to do -------------------------------------------------------------------------------------

    @Nested
    class NothingToDo {

        private final String token = "nothing-token-1";

        private String followsLatest() {
            String receiver = id("follows-latest");
            create("""
                    {'id':'%s','kind':'serviceUpgrade','token':'%s','serviceUpgrade':{'tag':'latest',
                     'serviceSelector':{'app':'web'},'namespaces':['demo'],'payloadFormat':'dockerhub'}}
                    """.formatted(receiver, token));
            return receiver;
        }

        private void assertNothingWritten(Written written, String reason) {
            assertThat(written.response().statusCode()).as(written.response().body()).isEqualTo(200);
            JsonObject body = json(written.response());
            assertThat(body.getJsonArray("eventIds")).isEmpty();
            assertThat(body.getString("message")).contains(reason);
            assertThat(written.events()).isEmpty();
        }

        @Test
        void aPushOfATagTheReceiverDoesNotFollowIs200WithTheReason() {
            String receiver = followsLatest();
            ObjectNode body = Samples.json("dockerhub.json");
            ((ObjectNode) body.get("push_data")).put("tag", "dev");

            assertNothingWritten(written(Topics.IMAGE_PUSHED,
                    () -> postJsonTo(receiver, "?token=" + token, body.toString())),
                    "hongxiaolu/iperf3:dev: tag dev is not followed; this receiver follows tag latest");
        }

        @Test
        void aPushOfTheFollowedTagUpgradesTheSelectedWorkloads() {
            String receiver = followsLatest();

            Written written = written(Topics.IMAGE_PUSHED,
                    () -> postJsonTo(receiver, "?token=" + token, Samples.text("dockerhub.json")));

            assertThat(written.only(ImagePushed.class).target()).isEqualTo(new ImagePushed.UpgradeTarget(null, null,
                    Map.of("app", "web"), List.of("demo"), null, null, null, "latest", null, null, null, null));
        }

        @Test
        void aResolvedAlertOnAReceiverThatIgnoresResolvedIs200WithTheReason() {
            String receiver = scaleUp(id("ignores-resolved"), token);

            assertNothingWritten(written(Topics.SERVICE_SCALE, () -> postJsonTo(receiver, "?token=" + token,
                    Samples.text("alertmanager-resolved-up.json"))), "this receiver ignores resolved alerts");
        }

        @Test
        void anAlertAskingForTheOtherDirectionIs200WithTheReason() {
            String receiver = scaleUp(id("up-only"), token);

            assertNothingWritten(written(Topics.SERVICE_SCALE, () -> postJsonTo(receiver, "?token=" + token,
                    Samples.text("alertmanager-firing-down.json"))), "asks for action=down; this receiver scales up");
        }

        @Test
        void aPartlyMatchingNotificationIs202AndListsWhatWasSkipped() {
            String receiver = scaleUp(id("mixed"), token);
            ObjectNode body = Samples.json("alertmanager-firing-up.json");
            ((ObjectNode) body.at("/alerts/1/labels")).put("action", "down");

            HttpResponse<String> response = postJsonTo(receiver, "?token=" + token, body.toString());

            assertThat(eventIds(response)).hasSize(1);
            assertThat(json(response).getJsonArray("skipped")).singleElement().asString()
                    .contains("asks for action=down");
        }
    }

    // ---- admin API -----------------------------------------------------------------------------------------

    @Nested
    class AdminApi {

        @Test
        void needsTheAdminBearerToken() {
            URI receivers = gateway.uri("/api/v1/receivers");

            HttpResponse<String> none = http.get(receivers);
            HttpResponse<String> wrong = http.send(to(receivers).header("Authorization", "Bearer not-the-token"));
            HttpResponse<String> basic = http.send(to(receivers).header("Authorization", "Basic " + ADMIN_TOKEN));

            for (HttpResponse<String> response : List.of(none, wrong, basic)) {
                assertApiError(response, 401, "unauthorized");
                assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
                assertThat(response.body()).doesNotContain(ADMIN_TOKEN);
            }
            assertThat(admin("GET", "/receivers", null).statusCode()).isEqualTo(200);
            assertApiError(http.get(gateway.uri("/api/v1/events/anything")), 401, "unauthorized");
        }

        @Test
        void createShowsTheTokenOnceAndTheTriggerUrl() {
            String receiver = id("created");

            JsonObject created = create("""
                    {'id':'%s','name':'Scale web up','kind':'scaleService','scaleService':{'namespace':'demo',
                     'workload':'deployment/web','action':'up','max':4}}
                    """.formatted(receiver));

            String token = created.getString("token");
            assertThat(token).matches("[0-9a-f]{48}");
            assertThat(created.getString("triggerUrl")).isEqualTo(PUBLIC_URL + "/hooks/" + receiver);
            assertThat(created.getString("triggerUrlWithToken"))
                    .isEqualTo(PUBLIC_URL + "/hooks/" + receiver + "?token=" + token);
            assertThat(created.getJsonObject("auth").getBoolean("token")).isTrue();
            assertThat(created.encode()).doesNotContain(Tokens.sha256(token));
            assertThat(post(receiver, "?token=" + token, null, null).statusCode()).isEqualTo(202);
        }

        @Test
        void listAndGetNeverShowTheTokenOrTheHmacSecret() {
            String receiver = id("shown");
            String token = "shown-token-" + receiver;
            String secret = "shown-secret-" + receiver;
            create("""
                    {'id':'%s','kind':'scaleService','token':'%s','hmacSecret':'%s','scaleService':{
                     'namespace':'demo','workload':'deployment/web','action':'up','max':4}}
                    """.formatted(receiver, token, secret));

            HttpResponse<String> list = admin("GET", "/receivers", null);
            HttpResponse<String> one = admin("GET", "/receivers/" + receiver, null);

            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(one.statusCode()).isEqualTo(200);
            JsonArray items = json(list).getJsonArray("items");
            JsonObject listed = items.stream().map(JsonObject.class::cast)
                    .filter(item -> item.getString("id").equals(receiver)).findFirst().orElseThrow();
            JsonObject got = json(one);
            for (JsonObject view : List.of(listed, got)) {
                assertThat(view.getString("kind")).isEqualTo("scaleService");
                assertThat(view.getJsonObject("scaleService").getInteger("max")).isEqualTo(4);
                assertThat(view.getJsonObject("auth").getMap())
                        .containsEntry("token", true).containsEntry("hmac", true);
                assertThat(view.containsKey("token")).isFalse();
                assertThat(view.getString("triggerUrl")).isEqualTo(PUBLIC_URL + "/hooks/" + receiver);
            }
            for (HttpResponse<String> response : List.of(list, one)) {
                assertThat(response.body()).doesNotContain(token).doesNotContain(secret)
                        .doesNotContain(Tokens.sha256(token)).doesNotContain("tokenSha256")
                        .doesNotContain("hmacSecret");
            }
        }

        @Test
        void updateChangesWhatTheNextTriggerWritesAndCanRotateTheToken() {
            String receiver = scaleUp(id("updated"), "first-token-1");

            HttpResponse<String> updated = admin("PUT", "/receivers/" + receiver, """
                    {'kind':'scaleService','scaleService':{'namespace':'demo','workload':'deployment/web',
                     'action':'up','amount':3,'max':12}}
                    """);

            assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
            assertThat(json(updated).containsKey("token")).as("the token is kept, not shown").isFalse();
            Written written = written(Topics.SERVICE_SCALE, () -> post(receiver, "?token=first-token-1", null, null));
            assertThat(written.only(ServiceScaleRequested.class)).extracting(
                    ServiceScaleRequested::amount, ServiceScaleRequested::max).containsExactly(3, 12);

            HttpResponse<String> rotated = admin("PUT", "/receivers/" + receiver, """
                    {'kind':'scaleService','token':'second-token-2','scaleService':{'namespace':'demo',
                     'workload':'deployment/web','action':'up','max':12}}
                    """);

            assertThat(json(rotated).getString("token")).isEqualTo("second-token-2");
            assertApiError(post(receiver, "?token=first-token-1", null, null), 404, "not_found");
            assertThat(post(receiver, "?token=second-token-2", null, null).statusCode()).isEqualTo(202);
        }

        @Test
        void deleteMakesTheTriggerAnswer404() {
            String receiver = scaleUp(id("deleted"), "deleted-token-1");

            HttpResponse<String> deleted = admin("DELETE", "/receivers/" + receiver, null);

            assertThat(deleted.statusCode()).isEqualTo(204);
            assertApiError(post(receiver, "?token=deleted-token-1", null, null), 404, "not_found");
            assertApiError(admin("GET", "/receivers/" + receiver, null), 404, "not_found");
            assertApiError(admin("DELETE", "/receivers/" + receiver, null), 404, "not_found");
            assertApiError(admin("PUT", "/receivers/" + receiver, "{'kind':'redeploy'}"), 404, "not_found");
        }

        @Test
        void anInvalidReceiverIs400WithEveryFieldPath() {
            HttpResponse<String> response = admin("POST", "/receivers", """
                    {'kind':'scaleService','token':'short','colour':'red','allowedCidrs':['10.0.0.0/33'],
                     'scaleService':{'namespace':'Demo','workload':'daemonset/agent','action':'sideways',
                     'amount':0,'min':5,'max':5}}
                    """);

            assertThat(assertApiError(response, 400, "invalid_receiver")).containsExactlyInAnyOrder("colour", "token",
                    "allowedCidrs[0]", "scaleService.namespace", "scaleService.workload", "scaleService.action",
                    "scaleService.amount", "scaleService.min");
            assertThat(assertApiError(admin("POST", "/receivers", "{'kind': "), 400, "invalid_receiver"))
                    .containsExactly("$");
            assertThat(assertApiError(admin("POST", "/receivers", null), 400, "invalid_receiver"))
                    .containsExactly("$");
        }

        @Test
        void aSecondReceiverWithTheSameIdIs409() {
            String receiver = scaleUp(id("twice"), "twice-token-1");

            assertApiError(admin("POST", "/receivers", "{'id':'%s','kind':'redeploy'}".formatted(receiver)), 409,
                    "conflict");
        }

        @Test
        void withoutAnAdminTokenTheApiAnswersOnlyOnLoopback() throws Exception {
            try (RunningGateway open = RunningGateway.start(bootstrap, Map.of())) {
                assertThat(http.get(open.uri("/api/v1/receivers")).statusCode())
                        .as("from 127.0.0.1").isEqualTo(200);

                Optional<InetAddress> external = nonLoopbackAddress();
                assumeThat(external).as("a non-loopback address to call from").isPresent();
                URI viaNetwork = URI.create("http://" + external.get().getHostAddress() + ":" + open.port()
                        + "/api/v1/receivers");
                assertApiError(http.get(viaNetwork), 403, "forbidden");
            }
        }

        private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()
                            && !address.isLinkLocalAddress()) {
                        return Optional.of(address);
                    }
                }
            }
            return Optional.empty();
        }
    }

    // ---- delivery status -----------------------------------------------------------------------------------

    @Nested
    class DeliveryStatus {

        @Test
        void anEventIsAcceptedAndThenShowsTheWorkersResult() throws Exception {
            String receiver = scaleUp(id("status"), "status-token-1");
            String eventId = eventIds(post(receiver, "?token=status-token-1", null, null)).get(0);

            HttpResponse<String> accepted = admin("GET", "/events/" + eventId, null);

            assertThat(accepted.statusCode()).isEqualTo(200);
            JsonObject status = json(accepted);
            assertThat(status.getString("eventId")).isEqualTo(eventId);
            assertThat(status.getString("status")).isEqualTo("accepted");
            assertThat(status.getString("type")).isEqualTo("dev.winch.service.scale.requested");
            assertThat(status.getString("receiver")).isEqualTo(receiver);
            assertThat(status.getString("target")).isEqualTo("demo/deployment/web");
            assertThat(status.getString("acceptedAt")).isNotBlank();
            assertThat(status.getJsonArray("results")).isEmpty();

            publishResult(eventId, receiver, Outcome.APPLIED, "scaled demo/deployment/web from 2 to 4");

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(json(admin("GET", "/events/" + eventId, null)).getString("status"))
                            .isEqualTo("applied"));
            JsonObject applied = json(admin("GET", "/events/" + eventId, null));
            assertThat(applied.getJsonArray("results")).singleElement().satisfies(result -> {
                JsonObject r = (JsonObject) result;
                assertThat(r.getString("outcome")).isEqualTo("APPLIED");
                assertThat(r.getString("reason")).isEqualTo("scaled demo/deployment/web from 2 to 4");
                assertThat(r.getString("worker")).isEqualTo("scaler");
                assertThat(r.getJsonObject("details").getMap()).containsEntry("from", "2").containsEntry("to", "4");
            });

            publishResult(eventId, receiver, Outcome.DUPLICATE, "already applied");

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(json(admin("GET", "/events/" + eventId, null)).getJsonArray("results")).hasSize(2));
            assertThat(json(admin("GET", "/events/" + eventId, null)).getString("status"))
                    .as("a recognised redelivery does not change what became of the event").isEqualTo("applied");
        }

        @Test
        void anUnknownEventIs404() {
            assertApiError(admin("GET", "/events/" + id("never"), null), 404, "not_found");
        }

        private void publishResult(String eventId, String receiver, Outcome outcome, String reason) throws Exception {
            Instant now = Instant.now();
            ActionResult result = new ActionResult(eventId, "dev.winch.service.scale.requested", receiver,
                    "demo/deployment/web", outcome, reason, Map.of("from", "2", "to", "4"), now, now, "scaler");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", bootstrap, "acks", "all",
                    "key.serializer", StringSerializer.class.getName(),
                    "value.serializer", ByteArraySerializer.class.getName()))) {
                producer.send(new EventCodec().toRecord(
                        Event.create(URI.create("/winch/scaler"), result, java.time.Clock.systemUTC())))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    // ---- secrets -------------------------------------------------------------------------------------------

    @Nested
    class Secrets {

        @Test
        void secretsNeverAppearInLogsOrErrorBodies() throws Exception {
            String receiver = id("secretive");
            String token = "token-" + receiver;
            String secret = "secret-" + receiver;
            create("""
                    {'id':'%s','kind':'redeploy','token':'%s','hmacSecret':'%s'}
                    """.formatted(receiver, token, secret));
            String body = Samples.text("dockerhub.json");
            String query = "?token=" + token + "&ns=demo&workload=deployment/web&container=web";
            List<HttpResponse<String>> answers = new ArrayList<>();

            answers.add(postJsonTo(receiver, query, body, "X-Hub-Signature-256", hmac(secret, body)));
            answers.add(postJsonTo(receiver, query, body, "X-Hub-Signature-256", hmac(token, body)));
            answers.add(postJsonTo(receiver, "?token=" + secret, body, "X-Hub-Signature-256", hmac(secret, body)));
            answers.add(postJsonTo(receiver, "?token=" + token, body, "X-Hub-Signature-256", hmac(secret, body)));
            answers.add(postJsonTo(receiver, query, "{\"oops\": " + token, "X-Hub-Signature-256",
                    hmac(secret, "{\"oops\": " + token)));
            answers.add(http.send(to(gateway.uri("/api/v1/receivers")).header("Authorization", "Bearer " + token)));
            answers.add(admin("POST", "/receivers", "{'kind':'redeploy','token':'%s','hmacSecret':'tiny'}"
                    .formatted(token.substring(0, 7))));
            answers.add(admin("PUT", "/receivers/" + receiver, "{'kind':'redeploy','token':'%s'}".formatted(token)));

            assertThat(answers).extracting(HttpResponse::statusCode).containsExactly(202, 404, 404, 400, 400, 401,
                    400, 200);
            for (HttpResponse<String> answer : answers) {
                assertThat(answer.body()).doesNotContain(secret).doesNotContain(ADMIN_TOKEN);
            }
            assertThat(answers.subList(1, 7)).allSatisfy(answer ->
                    assertThat(answer.body()).doesNotContain(token).doesNotContain(token.substring(0, 7)));
            List<String> lines = logs.lines();
            assertThat(lines).as("the capture sees the gateway's log lines")
                    .anyMatch(line -> line.contains("Accepted") && line.contains(receiver));
            assertThat(lines).noneMatch(line -> line.contains(token) || line.contains(secret)
                    || line.contains(ADMIN_TOKEN) || line.contains(Tokens.sha256(token)));
            assertThat(gateway.config().toString()).doesNotContain(ADMIN_TOKEN);
        }
    }
}
