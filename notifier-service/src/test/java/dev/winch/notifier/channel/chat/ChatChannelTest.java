package dev.winch.notifier.channel.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.ChannelsFile;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.channel.RecordingServer;
import dev.winch.notifier.channel.Results;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChatChannelTest {

    /** 2023-11-14T22:13:20Z: the signatures below were computed for it with openssl. */
    private static final Instant NOW = Instant.ofEpochMilli(1_700_000_000_000L);
    private static final String SECRET = "SECtest";
    /** printf '1700000000000\nSECtest' | openssl dgst -sha256 -hmac SECtest -binary | base64 */
    private static final String DINGTALK_SIGN = "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=";
    /** HMAC-SHA256 keyed with "1700000000\nSECtest" over nothing, base64 (openssl dgst -mac HMAC -macopt hexkey:...) */
    private static final String FEISHU_SIGN = "G7XpBpG8NgG02fJOAhX6FRAObIljmFoxVReo8I62pEk=";

    private Vertx vertx;
    private RecordingServer server;
    private ChannelsFile channels;
    private final Notification.Single notification = Results.single(Results.upgrade("image updated"));

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        server = RecordingServer.start(vertx);
    }

    @AfterEach
    void stop() {
        if (channels != null) {
            channels.close();
        }
        server.close();
        vertx.close().await();
    }

    private Channel channel(String kind, String pathAndQuery, String extra) {
        Map<String, String> env = new HashMap<>();
        env.put("CHAT_URL", server.url(pathAndQuery));
        env.put("CHAT_SECRET", SECRET);
        channels = ChannelsFile.parse("""
                channels:
                  - name: chat
                    kind: %s
                    url: {env: CHAT_URL}
                %s
                """.formatted(kind, extra.isEmpty() ? "" : "    " + extra), env, vertx, Clock.fixed(NOW, ZoneOffset.UTC));
        return channels.channel("chat");
    }

    private Delivery send(Channel channel, Notification notification) {
        return channel.send(notification).await();
    }

    private static String text(Channel channel, Notification notification) {
        return ((ChatChannel) channel).render(notification).text();
    }

    @Test
    void dingTalkSignedRobotGetsMarkdownWithTimestampAndSignInTheQuery() {
        Channel channel = channel("dingtalk", "/robot/send?access_token=tok123", "secret: {env: CHAT_SECRET}");
        server.answerAlways(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");

        assertThat(send(channel, notification)).isEqualTo(new Delivery.Delivered(200));

        RecordingServer.Request request = server.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/robot/send");
        assertThat(request.rawQuery()).isEqualTo("access_token=tok123&timestamp=1700000000000&sign="
                + DINGTALK_SIGN.replace("=", "%3D").replace("+", "%2B").replace("/", "%2F"));
        assertThat(request.params().get("sign")).isEqualTo(DINGTALK_SIGN);
        assertThat(request.headers().get("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(request.body().toJsonObject()).isEqualTo(new JsonObject()
                .put("msgtype", "markdown")
                .put("markdown", new JsonObject()
                        .put("title", "APPLIED demo/deployment/web (apply)")
                        .put("text", text(channel, notification))));
        assertThat(text(channel, notification)).startsWith("### APPLIED: demo/deployment/web");
    }

    @Test
    void dingTalkWithoutSecretSendsNoSignature() {
        Channel channel = channel("dingtalk", "/robot/send?access_token=tok123", "");
        server.answerAlways(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");

        assertThat(send(channel, notification)).isEqualTo(new Delivery.Delivered(200));
        assertThat(server.only().rawQuery()).isEqualTo("access_token=tok123");
    }

    @Test
    void dingTalkErrorCodesInA200AreReadFromTheBody() {
        Channel channel = channel("dingtalk", "/robot/send?access_token=tok123", "secret: {env: CHAT_SECRET}");
        server.answerNext(200, Map.of(), "{\"errcode\":130101,\"errmsg\":\"send too fast, exceed 20 times per minute\"}")
                .answerNext(200, Map.of(), "{\"errcode\":310000,\"errmsg\":\"sign not match\"}");

        assertThat(send(channel, notification)).isEqualTo(
                new Delivery.Retry("errcode 130101: send too fast, exceed 20 times per minute", null));
        assertThat(send(channel, notification)).isEqualTo(new Delivery.Rejected("errcode 310000: sign not match"));
    }

    @Test
    void weComGetsMarkdownContentAndItsFrequencyLimitIsARetry() {
        Channel channel = channel("wecom", "/cgi-bin/webhook/send?key=k-1", "");
        server.answerNext(200, Map.of(), "{\"errcode\":0,\"errmsg\":\"ok\"}")
                .answerNext(200, Map.of(), "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}")
                .answerNext(200, Map.of(), "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}");

        assertThat(send(channel, notification)).isEqualTo(new Delivery.Delivered(200));
        assertThat(send(channel, notification)).isEqualTo(new Delivery.Retry("errcode 45009: api freq out of limit",
                null));
        assertThat(send(channel, notification)).isEqualTo(new Delivery.Rejected("errcode 93000: invalid webhook url"));

        RecordingServer.Request first = server.requests().get(0);
        assertThat(first.rawQuery()).isEqualTo("key=k-1");
        assertThat(first.body().toJsonObject()).isEqualTo(new JsonObject().put("msgtype", "markdown")
                .put("markdown", new JsonObject().put("content", text(channel, notification))));
    }

    @Test
    void slackGetsTextAndOnlyOkIsSuccess() {
        Channel channel = channel("slack", "/services/T0/B0/XXXX", "");
        server.answerNext(200, Map.of(), "ok")
                .answerNext(200, Map.of(), "something else")
                .answerNext(404, Map.of(), "no_service")
                .answerNext(200, Map.of(), "{\"ok\":true}")
                .answerNext(200, Map.of(), "{\"ok\":false,\"error\":\"invalid_workflow\"}");

        assertThat(send(channel, notification)).isEqualTo(new Delivery.Delivered(200));
        assertThat(send(channel, notification)).isEqualTo(
                new Delivery.Rejected("HTTP 200 without ok: something else"));
        assertThat(send(channel, notification)).isEqualTo(new Delivery.Rejected("HTTP 404: no_service"));
        assertThat(send(channel, notification)).isEqualTo(new Delivery.Delivered(200));
        assertThat(send(channel, notification)).isInstanceOf(Delivery.Rejected.class);

        RecordingServer.Request first = server.requests().get(0);
        assertThat(first.path()).isEqualTo("/services/T0/B0/XXXX");
        assertThat(first.body().toJsonObject()).isEqualTo(new JsonObject().put("text", text(channel, notification)));
        assertThat(text(channel, notification)).startsWith("*APPLIED* demo/deployment/web");
    }

    @Test
    void aTooManyRequestsAnswerIsARetryAfterWhatTheServerAsked() {
        Channel channel = channel("slack", "/services/T0/B0/XXXX", "");
        String inTwoMinutes = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.ofInstant(NOW.plusSeconds(120), ZoneOffset.UTC));
        server.answerNext(429, Map.of("Retry-After", "30"), "rate_limited")
                .answerNext(429, Map.of("Retry-After", inTwoMinutes), "rate_limited")
                .answerNext(503, Map.of(), "")
                .answerNext(408, Map.of(), "");

        assertThat(send(channel, notification)).isEqualTo(
                new Delivery.Retry("HTTP 429: rate_limited", Duration.ofSeconds(30)));
        assertThat(send(channel, notification)).isEqualTo(
                new Delivery.Retry("HTTP 429: rate_limited", Duration.ofSeconds(120)));
        assertThat(send(channel, notification)).isEqualTo(new Delivery.Retry("HTTP 503", null));
        assertThat(send(channel, notification)).isEqualTo(new Delivery.Retry("HTTP 408", null));
    }

    @Test
    void feishuSignedBotGetsACardWithTimestampAndSignInTheBody() {
        Channel channel = channel("feishu", "/open-apis/bot/v2/hook/abc", "secret: {env: CHAT_SECRET}");
        server.answerNext(200, Map.of(), "{\"code\":0,\"msg\":\"success\",\"data\":{}}")
                .answerNext(200, Map.of(), "{\"code\":11232,\"msg\":\"frequency limited\"}")
                .answerNext(200, Map.of(), "{\"code\":19021,\"msg\":\"sign match fail or timestamp is not within one"
                        + " hour from current time\"}");

        assertThat(send(channel, notification)).isEqualTo(new Delivery.Delivered(200));
        assertThat(send(channel, notification)).isEqualTo(new Delivery.Retry("code 11232: frequency limited", null));
        assertThat(send(channel, notification)).isInstanceOf(Delivery.Rejected.class);

        JsonObject body = server.requests().get(0).body().toJsonObject();
        assertThat(body).isEqualTo(new JsonObject()
                .put("timestamp", "1700000000")
                .put("sign", FEISHU_SIGN)
                .put("msg_type", "interactive")
                .put("card", new JsonObject()
                        .put("config", new JsonObject().put("wide_screen_mode", true))
                        .put("header", new JsonObject().put("title", new JsonObject().put("tag", "plain_text")
                                .put("content", "APPLIED demo/deployment/web (apply)")))
                        .put("elements", new JsonArray().add(new JsonObject().put("tag", "div")
                                .put("text", new JsonObject().put("tag", "lark_md")
                                        .put("content", text(channel, notification)))))));
    }

    @Test
    void teamsGetsAnAdaptiveCardAndAnyTwoHundredIsSuccess() {
        Channel channel = channel("teams", "/workflows/abc", "");
        server.answerNext(202, Map.of(), "")
                .answerNext(200, Map.of(), "Microsoft Teams endpoint returned HTTP error 429 with ContextId ...");

        assertThat(send(channel, notification)).isEqualTo(new Delivery.Delivered(202));
        assertThat(send(channel, notification)).isInstanceOf(Delivery.Retry.class);

        JsonObject body = server.requests().get(0).body().toJsonObject();
        assertThat(body.getString("type")).isEqualTo("message");
        JsonObject attachment = body.getJsonArray("attachments").getJsonObject(0);
        assertThat(attachment.getString("contentType")).isEqualTo("application/vnd.microsoft.card.adaptive");
        JsonObject card = attachment.getJsonObject("content");
        assertThat(card.getString("type")).isEqualTo("AdaptiveCard");
        assertThat(card.getString("version")).isEqualTo("1.4");
        assertThat(card.getJsonArray("body")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("type", "TextBlock").put("text", "APPLIED demo/deployment/web (apply)")
                        .put("weight", "Bolder").put("size", "Medium").put("wrap", true))
                .add(new JsonObject().put("type", "TextBlock").put("text", text(channel, notification))
                        .put("wrap", true)));
    }

    @Test
    void bearyChatGetsMarkdownTextAndItsCodeIsChecked() {
        Channel channel = channel("bearychat", "/=bw52O/incoming/token1", "");
        server.answerNext(200, Map.of(), "{\"code\":0,\"result\":null}")
                .answerNext(200, Map.of(), "{\"code\":1,\"error\":\"invalid token\"}");

        assertThat(send(channel, notification)).isEqualTo(new Delivery.Delivered(200));
        assertThat(send(channel, notification)).isEqualTo(new Delivery.Rejected("code 1: invalid token"));
        assertThat(server.requests().get(0).body().toJsonObject()).isEqualTo(
                new JsonObject().put("text", text(channel, notification)).put("markdown", true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dingtalk", "wecom", "slack", "feishu", "teams", "bearychat"})
    void anyTextStaysValidJson(String kind) {
        Channel channel = channel(kind, "/hook?token=t", "");
        server.answerAlways(200, kind.equals("slack") ? "ok" : "{}");
        String hostile = "say \"hi\" \\ back\\slash\nnew line\ttab 中文 émoji 🚀 \u2028 {\"json\":1}";

        Delivery delivery = send(channel, Results.single(Results.upgrade(hostile)));

        assertThat(delivery).isInstanceOf(Delivery.Delivered.class);
        String body = server.only().body().toString();
        String flat = new JsonObject(body).encode();
        assertThat(flat).contains("say \\\"hi\\\" \\\\ back\\\\slash new line tab 中文 émoji 🚀");
    }

    @Test
    void theAttemptCompletesOnTheCallersContext() {
        Channel channel = channel("slack", "/services/T0/B0/XXXX", "");
        server.answerAlways(200, "ok");
        io.vertx.core.Context caller = vertx.getOrCreateContext();
        java.util.concurrent.CompletableFuture<Boolean> onCaller = new java.util.concurrent.CompletableFuture<>();

        caller.runOnContext(ignored -> channel.send(notification)
                .onComplete(result -> onCaller.complete(Vertx.currentContext() == caller && result.succeeded())));

        assertThat(onCaller.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).isTrue();
    }

    @Test
    void noAnswerIsARetryThatDoesNotShowTheToken() {
        Channel channel = channel("dingtalk", "/robot/send?access_token=secretTok", "timeout: 300ms");
        server.silent();

        Delivery delivery = send(channel, notification);

        assertThat(delivery).isEqualTo(new Delivery.Retry("no answer within 300 ms", null));
    }

    @Test
    void aRefusedConnectionIsARetry() {
        Map<String, String> env = Map.of("CHAT_URL", "http://127.0.0.1:1/robot/send?access_token=secretTok");
        channels = ChannelsFile.parse("channels: [{name: chat, kind: dingtalk, url: {env: CHAT_URL}}]", env, vertx,
                Clock.fixed(NOW, ZoneOffset.UTC));

        Delivery delivery = send(channels.channel("chat"), notification);

        assertThat(delivery).isInstanceOf(Delivery.Retry.class);
        assertThat(((Delivery.Retry) delivery).reason()).startsWith("connection failed").doesNotContain("secretTok");
    }

    @Test
    void anAnswerQuotingTheUrlIsRedacted() {
        Channel channel = channel("slack", "/services/T0/B0/secretTok", "");
        server.answerNext(403, Map.of(), "invalid_token for /services/T0/B0/secretTok");

        Delivery delivery = send(channel, notification);

        assertThat(delivery).isEqualTo(new Delivery.Rejected("HTTP 403: invalid_token for ******"));
    }

    @Test
    void chatApisCanSendAnyMessageNotOnlyResults() {
        Channel channel = channel("wecom", "/cgi-bin/webhook/send?key=k-1", "");
        server.answerAlways(200, "{\"errcode\":0}");
        ChatApi api = new WeComApi(new ChatEndpoint(
                new dev.winch.notifier.channel.http.HttpSender(io.vertx.ext.web.client.WebClient.create(vertx),
                        Duration.ofSeconds(5), Clock.systemUTC(),
                        dev.winch.notifier.channel.http.Redactor.of(null, java.util.List.of())),
                dev.winch.common.config.Secret.of(server.url("/cgi-bin/webhook/send?key=k-2")), null));

        assertThat(api.post(new ChatMessage("Pod restarted", "**BackOff** demo/web-1")).await())
                .isEqualTo(new Delivery.Delivered(200));
        assertThat(server.only().body().toJsonObject().getJsonObject("markdown").getString("content"))
                .isEqualTo("**BackOff** demo/web-1");
        assertThat(channel.kind()).isEqualTo(api.kind());
        api.close();
    }
}
