package dev.winch.notifier.events.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.event.KubeEventObserved;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.channel.RecordingServer;
import dev.winch.notifier.channel.http.HttpSender;
import dev.winch.notifier.channel.http.Redactor;
import dev.winch.testkit.MutableClock;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each sink kind's request, against a local HTTP server. */
class EventSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-02T09:00:00Z");

    private Vertx vertx;
    private RecordingServer server;
    private final MutableClock clock = new MutableClock(NOW);
    private final KubeEventObserved backOff = TestEvents.pod("demo", "web-1", "Warning", "BackOff",
            "Back-off \"restarting\"", 1);

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        server = RecordingServer.start(vertx);
    }

    @AfterEach
    void stop() {
        server.close();
        vertx.close().await();
    }

    private EventSink sink(String flag) {
        SinkSpec spec = SinkFlags.parse(flag, "TEST").get(0);
        return new EventSink(spec, new HttpSender(HttpSender.client(vertx, Duration.ofSeconds(5), true, null),
                Duration.ofSeconds(5), clock, Redactor.of(URI.create(spec.url()), List.of())),
                BodyTemplate.defaultBody(), new Aggregator(Duration.ZERO));
    }

    private static Notification.KubeEvents one(KubeEventObserved event) {
        return new Notification.KubeEvents(List.of("id-1"), List.of(event), null);
    }

    private JsonNode lastBody() throws Exception {
        List<RecordingServer.Request> requests = server.requests();
        return JSON.readTree(requests.get(requests.size() - 1).body().toString());
    }

    @Test
    void dingTalkSignsAndSendsKubeEventersTextWithLabelsFirst() throws Exception {
        EventSink sink = sink("dingtalk:" + server.url("/robot/send?access_token=tok")
                + "&label=cluster-a&label=eu&sign=SEC");
        Delivery delivery = sink.send(one(backOff)).await();
        assertThat(delivery).isInstanceOf(Delivery.Delivered.class);
        RecordingServer.Request request = server.only();
        assertThat(request.params().get("access_token")).isEqualTo("tok");
        assertThat(request.params().get("timestamp")).isEqualTo(String.valueOf(NOW.toEpochMilli()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("SEC".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = Base64.getEncoder().encodeToString(
                mac.doFinal((NOW.toEpochMilli() + "\nSEC").getBytes(StandardCharsets.UTF_8)));
        assertThat(URLDecoder.decode(request.rawQuery().replaceAll(".*sign=", ""), StandardCharsets.UTF_8))
                .isEqualTo(expected);
        JsonNode body = lastBody();
        assertThat(body.get("msgtype").asText()).isEqualTo("text");
        assertThat(body.at("/text/content").asText()).isEqualTo("eu\ncluster-a\nLevel:Warning \nKind:Pod \n"
                + "Namespace:demo \nName:web-1.15b2a3f4c8d9e0a1 \nReason:BackOff \nTimestamp:2019-07-17 03:52:30 \n"
                + "Message:Back-off \"restarting\"");
        assertThat(body.at("/markdown/title").asText()).isEmpty();
    }

    @Test
    void dingTalkMarkdownCarriesTheClusterAndTheNode() throws Exception {
        sink("dingtalk:" + server.url("/robot/send?access_token=tok") + "&msg_type=markdown&cluster_id=c1"
                + "&region=eu-1").send(one(backOff)).await();
        JsonNode body = lastBody();
        assertThat(body.get("msgtype").asText()).isEqualTo("markdown");
        assertThat(body.at("/markdown/title").asText()).isEqualTo("Kubernetes(ID:c1) Event");
        assertThat(body.at("/markdown/text").asText()).startsWith("### Warning: BackOff\n")
                .contains("- Object: demo/web-1").contains("- Node: node-1").contains("- Region: eu-1");
    }

    @Test
    void dingTalksTooFastIsRetriedAndItsOtherCodesRefused() {
        EventSink sink = sink("dingtalk:" + server.url("/robot/send?access_token=tok"));
        server.answerNext(200, Map.of(), "{\"errcode\":130101,\"errmsg\":\"send too fast\"}");
        assertThat(sink.send(one(backOff)).await()).isInstanceOf(Delivery.Retry.class);
        server.answerNext(200, Map.of(), "{\"errcode\":310000,\"errmsg\":\"sign not match\"}");
        assertThat(sink.send(one(backOff)).await()).isInstanceOf(Delivery.Rejected.class);
    }

    @Test
    void weComRobotGetsGoTimeAndItsFrequencyLimitIsRetried() throws Exception {
        EventSink sink = sink("wechat:" + server.url("/cgi-bin/webhook/send?key=k1"));
        sink.send(one(TestEvents.repeated(backOff, 5, TestEvents.LAST, "101"))).await();
        JsonNode body = lastBody();
        assertThat(body.get("msgtype").asText()).isEqualTo("text");
        assertThat(body.at("/text/content").asText()).contains("Timestamp:2019-07-17 03:52:30 +0000 UTC")
                .endsWith("\nCount:5");
        assertThat(server.requests().get(0).params().get("key")).isEqualTo("k1");
        server.answerNext(200, Map.of(), "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}");
        assertThat(sink.send(one(backOff)).await()).isInstanceOf(Delivery.Retry.class);
    }

    @Test
    void slackGetsTheTextAndItsChannel() throws Exception {
        sink("slack:" + server.url("/services/T/B/X") + "?channel=ops&label=prod").send(one(backOff)).await();
        JsonNode body = lastBody();
        assertThat(body.get("channel").asText()).isEqualTo("ops");
        assertThat(body.get("text").asText()).startsWith("prod\nLevel:Warning \nKind:Pod");
    }

    @Test
    void aWebhookDigestIsTheTemplateOfTheNewestEventWithASummary() throws Exception {
        EventSink sink = sink("webhook:" + server.url("/hook") + "?method=POST");
        KubeEventObserved other = TestEvents.pod("demo", "web-2", "Warning", "Unhealthy", "probe failed", 1);
        sink.send(new Notification.KubeEvents(List.of("a", "b"), List.of(backOff, other), "the last minute"))
                .await();
        JsonNode body = lastBody();
        assertThat(body.get("EventReason").asText()).isEqualTo("Unhealthy");
        assertThat(body.get("EventMessage").asText())
                .isEqualTo("2 events in the last minute; the latest: probe failed");
        assertThat(server.only().method()).isEqualTo("POST");
    }

    @Test
    void aWebhookWithoutMethodIsAGetWithTheBodyAndOnlyItsOwnHeaders() {
        sink("webhook:" + server.url("/hook") + "?header=Authorization=Bearer%20abc").send(one(backOff)).await();
        RecordingServer.Request request = server.only();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.headers().get("Authorization")).isEqualTo("Bearer abc");
        assertThat(request.headers().get("Content-Type")).isNull();
        assertThat(request.body().toString()).contains("\"EventMessage\": \"Back-off \\\"restarting\\\"\"");
    }
}
