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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** kube-eventer's WeCom application form against a local server standing in for qyapi.weixin.qq.com. */
class WeComAppTest {

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

    private EventSink sink(String parameters) {
        SinkSpec spec = SinkFlags.parse("--sink=wechat:" + server.url("") + "?" + parameters, "TEST").get(0);
        return new EventSink(spec, new HttpSender(HttpSender.client(vertx, Duration.ofSeconds(5), true, null),
                Duration.ofSeconds(5), clock, Redactor.of(URI.create(spec.url()), List.of(spec.weComApp().corpSecret()))),
                BodyTemplate.defaultBody(), new Aggregator(Duration.ZERO));
    }

    private static Notification.KubeEvents one(KubeEventObserved event) {
        return new Notification.KubeEvents(List.of("id-1"), List.of(event), null);
    }

    private void token(String value, int expiresIn) {
        server.answerNext(200, Map.of(), "{\"errcode\":0,\"errmsg\":\"ok\",\"access_token\":\"" + value
                + "\",\"expires_in\":" + expiresIn + "}");
    }

    private void sent() {
        server.answerNext(200, Map.of(), "{\"errcode\":0,\"errmsg\":\"ok\",\"invaliduser\":\"\"}");
    }

    private List<String> paths() {
        return server.requests().stream().map(r -> r.method() + " " + r.path()).toList();
    }

    @Test
    void fetchesATokenSendsTheApplicationsTextMessageAndKeepsTheTokenForTheNext() throws Exception {
        EventSink sink = sink("corp_id=ww1&corp_secret=s%26cret&agent_id=1000012&to_user=zhangsan,lisi&label=prod");
        token("T1", 7200);
        sent();
        sent();

        assertThat(sink.send(one(backOff)).await()).isInstanceOf(Delivery.Delivered.class);
        clock.advance(Duration.ofMinutes(100));
        assertThat(sink.send(one(backOff)).await()).isInstanceOf(Delivery.Delivered.class);

        assertThat(paths()).containsExactly("GET /cgi-bin/gettoken", "POST /cgi-bin/message/send",
                "POST /cgi-bin/message/send");
        RecordingServer.Request tokenRequest = server.requests().get(0);
        assertThat(tokenRequest.params().get("corpid")).isEqualTo("ww1");
        assertThat(tokenRequest.params().get("corpsecret")).isEqualTo("s&cret");
        RecordingServer.Request send = server.requests().get(1);
        assertThat(send.params().get("access_token")).isEqualTo("T1");
        assertThat(server.requests().get(2).params().get("access_token")).isEqualTo("T1");
        JsonNode body = JSON.readTree(send.body().toString());
        assertThat(body.get("touser").asText()).isEqualTo("zhangsan|lisi");
        assertThat(body.get("msgtype").asText()).isEqualTo("text");
        assertThat(body.get("agentid").asInt()).isEqualTo(1000012);
        assertThat(body.at("/text/content").asText()).isEqualTo("prod\nLevel:Warning \nKind:Pod \nNamespace:demo "
                + "\nName:web-1.15b2a3f4c8d9e0a1 \nReason:BackOff \nTimestamp:2019-07-17 03:52:30 +0000 UTC "
                + "\nMessage:Back-off \"restarting\"");
    }

    @Test
    void aTokenNearItsExpiryIsRenewedBeforeUse() throws Exception {
        EventSink sink = sink("corp_id=ww1&corp_secret=s&agent_id=7");
        token("T1", 7200);
        sent();
        token("T2", 7200);
        sent();
        assertThat(sink.send(one(backOff)).await()).isInstanceOf(Delivery.Delivered.class);
        clock.advance(Duration.ofSeconds(7200 - 299));
        assertThat(sink.send(one(backOff)).await()).isInstanceOf(Delivery.Delivered.class);

        assertThat(paths()).containsExactly("GET /cgi-bin/gettoken", "POST /cgi-bin/message/send",
                "GET /cgi-bin/gettoken", "POST /cgi-bin/message/send");
        assertThat(server.requests().get(3).params().get("access_token")).isEqualTo("T2");
        assertThat(JSON.readTree(server.requests().get(1).body().toString()).get("touser").asText())
                .as("kube-eventer's default").isEqualTo("@all");
    }

    @Test
    void anExpiredOrInvalidTokenAnswerFetchesANewTokenAndSendsAgain() throws Exception {
        EventSink sink = sink("corp_id=ww1&corp_secret=s&agent_id=7");
        token("T1", 7200);
        server.answerNext(200, Map.of(), "{\"errcode\":42001,\"errmsg\":\"access_token expired\"}");
        token("T2", 7200);
        sent();
        assertThat(sink.send(one(backOff)).await()).isInstanceOf(Delivery.Delivered.class);
        server.answerNext(200, Map.of(), "{\"errcode\":40014,\"errmsg\":\"invalid access_token\"}");
        token("T3", 7200);
        sent();
        assertThat(sink.send(one(backOff)).await()).isInstanceOf(Delivery.Delivered.class);

        assertThat(paths()).containsExactly("GET /cgi-bin/gettoken", "POST /cgi-bin/message/send",
                "GET /cgi-bin/gettoken", "POST /cgi-bin/message/send",
                "POST /cgi-bin/message/send", "GET /cgi-bin/gettoken", "POST /cgi-bin/message/send");
        assertThat(server.requests().stream().filter(r -> r.path().endsWith("/send"))
                .map(r -> r.params().get("access_token")).toList()).containsExactly("T1", "T2", "T2", "T3");
    }

    @Test
    void anErrcodeIsAFailureWithWeComsMessage() throws Exception {
        EventSink sink = sink("corp_id=ww1&corp_secret=SECRET-1&agent_id=7");
        token("T1", 7200);
        server.answerNext(200, Map.of(), "{\"errcode\":60020,\"errmsg\":\"not allow to access from your ip\"}");
        assertThat(sink.send(one(backOff)).await()).isInstanceOfSatisfying(Delivery.Rejected.class,
                rejected -> assertThat(rejected.reason())
                        .isEqualTo("WeCom message/send: errcode 60020: not allow to access from your ip"));

        server.answerNext(200, Map.of(), "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}");
        assertThat(sink.send(one(backOff)).await()).isInstanceOfSatisfying(Delivery.Retry.class,
                retry -> assertThat(retry.reason()).contains("45009"));

        server.answerNext(200, Map.of(), "{\"errcode\":42001,\"errmsg\":\"access_token expired\"}");
        server.answerNext(200, Map.of(), "{\"errcode\":40001,\"errmsg\":\"invalid credential SECRET-1\"}");
        assertThat(sink.send(one(backOff)).await()).isInstanceOfSatisfying(Delivery.Rejected.class,
                rejected -> assertThat(rejected.reason()).startsWith("WeCom gettoken: errcode 40001: invalid credential")
                        .doesNotContain("SECRET-1"));
        assertThat(paths()).hasSize(5).last().isEqualTo("GET /cgi-bin/gettoken");
    }
}
