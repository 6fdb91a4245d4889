package dev.winch.notifier.channel.chat;

import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.http.Hmac;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * A DingTalk group robot ({@code https://oapi.dingtalk.com/robot/send?access_token=...}).
 *
 * <pre>{"msgtype":"markdown","markdown":{"title":"APPLIED demo/web","text":"### APPLIED ..."}}</pre>
 *
 * <p>A robot with "additional signature" security needs {@code timestamp} (epoch milliseconds) and {@code sign}
 * (URL-encoded Base64 of HMAC-SHA256 keyed with the secret over {@code timestamp + "\n" + secret}) as query
 * parameters; DingTalk refuses a timestamp more than an hour off. It answers 200 with
 * {@code {"errcode":0,"errmsg":"ok"}}; errcode 130101 ("send too fast", more than 20 messages a minute) is worth a
 * retry, any other non-zero code is not.
 */
public final class DingTalkApi implements ChatApi {

    static final long TOO_FAST = 130101;

    private final ChatEndpoint endpoint;
    private final ErrorCodeCheck check;

    public DingTalkApi(ChatEndpoint endpoint) {
        this.endpoint = endpoint;
        this.check = new ErrorCodeCheck(List.of("errcode"), List.of("errmsg"), Set.of(TOO_FAST),
                endpoint.sender().redactor());
    }

    @Override
    public String kind() {
        return "dingtalk";
    }

    @Override
    public Future<Delivery> post(ChatMessage message) {
        JsonObject body = new JsonObject().put("msgtype", "markdown")
                .put("markdown", new JsonObject().put("title", message.title()).put("text", message.text()));
        String url = endpoint.url().reveal();
        if (endpoint.signingSecret() != null) {
            long timestamp = endpoint.sender().clock().millis();
            url += (url.contains("?") ? "&" : "?") + "timestamp=" + timestamp + "&sign="
                    + URLEncoder.encode(sign(timestamp, endpoint.signingSecret().reveal()), StandardCharsets.UTF_8);
        }
        return endpoint.sender().post(url, ChatEndpoint.jsonHeaders(), body.toBuffer(), check);
    }

    /** Base64 of HMAC-SHA256(key = secret, timestamp + "\n" + secret), before URL encoding. */
    static String sign(long timestampMillis, String secret) {
        return Base64.getEncoder().encodeToString(Hmac.sha256(secret, timestampMillis + "\n" + secret));
    }

    @Override
    public void close() {
        endpoint.sender().close();
    }
}
