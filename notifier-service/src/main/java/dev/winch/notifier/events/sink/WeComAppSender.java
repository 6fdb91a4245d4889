package dev.winch.notifier.events.sink;

import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.http.AnswerCheck;
import dev.winch.notifier.channel.http.HttpAnswer;
import dev.winch.notifier.channel.http.HttpSender;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Messages of a WeCom application (kube-eventer's {@code wechat:?corp_id=...&corp_secret=...&agent_id=...}): an
 * access token from {@code /cgi-bin/gettoken}, kept until shortly before it expires, and one
 * {@code /cgi-bin/message/send} per message. A send answered with an expired or invalid token (errcode 42001,
 * 40014, 41001) fetches a new token and sends once more within the same attempt. Any other errcode ≠ 0 is a
 * failure with WeCom's errmsg: 45009 (frequency limit) and -1 (system busy) are retried by the queue, the others
 * are refused. One call is one attempt; the future never fails.
 */
final class WeComAppSender {

    /** errcodes that mean "fetch a new token": expired, invalid, missing. */
    static final Set<Long> TOKEN_CODES = Set.of(42001L, 40014L, 41001L);
    static final Set<Long> RETRY_CODES = Set.of(45009L, -1L);
    /** A token is renewed this long before WeCom says it expires (at most half its lifetime). */
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

    private record Token(String value, Instant renewAt) {
    }

    private final SinkSpec.WeComApp app;
    private final HttpSender sender;
    private final AtomicReference<Token> token = new AtomicReference<>();

    WeComAppSender(SinkSpec.WeComApp app, HttpSender sender) {
        this.app = app;
        this.sender = sender;
    }

    /** Sends {@code content} as the application's text message to its users, parties and tags. */
    Future<Delivery> send(String content) {
        JsonObject message = new JsonObject()
                .put("touser", String.join("|", app.toUsers()))
                .put("toparty", app.toParty())
                .put("totag", app.toTag())
                .put("msgtype", "text")
                .put("agentid", app.agentId())
                .put("text", new JsonObject().put("content", content))
                .put("safe", 0);
        return withToken(false, value -> post(value, message).compose(answer -> {
            if (answer.code() != null && TOKEN_CODES.contains(answer.code())) {
                token.set(null);
                return withToken(true, renewed -> post(renewed, message).map(SendAnswer::delivery));
            }
            return Future.succeededFuture(answer.delivery());
        }));
    }

    private Future<SendAnswer> post(String accessToken, JsonObject message) {
        AtomicLong code = new AtomicLong(Long.MIN_VALUE);
        AnswerCheck check = answer -> {
            JsonObject body = json(answer);
            Object value = body.getValue("errcode");
            if (!(value instanceof Number number) || number.longValue() == 0) {
                return new Delivery.Delivered(answer.status());
            }
            code.set(number.longValue());
            String reason = "WeCom message/send: errcode " + number.longValue() + errmsg(body);
            return RETRY_CODES.contains(number.longValue()) || TOKEN_CODES.contains(number.longValue())
                    ? new Delivery.Retry(reason, null) : new Delivery.Rejected(reason);
        };
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().set("Content-Type", "application/json");
        return sender.send(HttpMethod.POST, app.apiBase() + "/cgi-bin/message/send?access_token="
                        + URLEncoder.encode(accessToken, StandardCharsets.UTF_8), headers, message.toBuffer(), check)
                .map(delivery -> new SendAnswer(delivery, code.get() == Long.MIN_VALUE ? null : code.get()));
    }

    /** Runs {@code action} with a token: the kept one unless {@code fresh} or it is due for renewal. */
    private Future<Delivery> withToken(boolean fresh, java.util.function.Function<String, Future<Delivery>> action) {
        Token kept = token.get();
        if (!fresh && kept != null && sender.clock().instant().isBefore(kept.renewAt())) {
            return action.apply(kept.value());
        }
        AtomicReference<String> fetched = new AtomicReference<>();
        AnswerCheck check = answer -> {
            JsonObject body = json(answer);
            Object code = body.getValue("errcode");
            long errcode = code instanceof Number number ? number.longValue() : 0;
            String value = body.getString("access_token", "");
            if (errcode != 0 || value.isEmpty()) {
                String reason = "WeCom gettoken: errcode " + errcode + errmsg(body);
                return RETRY_CODES.contains(errcode) ? new Delivery.Retry(reason, null) : new Delivery.Rejected(reason);
            }
            long expiresIn = body.getValue("expires_in") instanceof Number n ? n.longValue() : 7200;
            Duration early = RENEW_BEFORE.compareTo(Duration.ofSeconds(expiresIn / 2)) < 0 ? RENEW_BEFORE
                    : Duration.ofSeconds(expiresIn / 2);
            token.set(new Token(value, sender.clock().instant().plusSeconds(expiresIn).minus(early)));
            fetched.set(value);
            return new Delivery.Delivered(answer.status());
        };
        String url = app.apiBase() + "/cgi-bin/gettoken?corpid=" + URLEncoder.encode(app.corpId(), StandardCharsets.UTF_8)
                + "&corpsecret=" + URLEncoder.encode(app.corpSecret(), StandardCharsets.UTF_8);
        return sender.send(HttpMethod.GET, url, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(), check)
                .compose(delivery -> delivery instanceof Delivery.Delivered && fetched.get() != null
                        ? action.apply(fetched.get()) : Future.succeededFuture(delivery));
    }

    private static JsonObject json(HttpAnswer answer) {
        try {
            return answer.body().isBlank() ? new JsonObject() : new JsonObject(answer.body());
        } catch (DecodeException | ClassCastException e) {
            return new JsonObject();
        }
    }

    private String errmsg(JsonObject body) {
        String message = body.getString("errmsg", "");
        return message.isBlank() ? "" : ": " + sender.redactor().redact(message);
    }

    private record SendAnswer(Delivery delivery, Long code) {
    }
}
