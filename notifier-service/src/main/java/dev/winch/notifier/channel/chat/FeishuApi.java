package dev.winch.notifier.channel.chat;

import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.http.Hmac;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * A Feishu (Lark) custom bot ({@code https://open.feishu.cn/open-apis/bot/v2/hook/...}), sending an interactive
 * card: the title in the header, the text as {@code lark_md}.
 *
 * <pre>{"msg_type":"interactive","card":{"config":{"wide_screen_mode":true},
 *  "header":{"title":{"tag":"plain_text","content":"APPLIED demo/web"}},
 *  "elements":[{"tag":"div","text":{"tag":"lark_md","content":"..."}}]}}</pre>
 *
 * <p>A bot with "signature verification" needs {@code timestamp} (epoch seconds, as a string) and {@code sign} in
 * the body: Base64 of HMAC-SHA256 keyed with {@code timestamp + "\n" + secret} over an empty message. It answers
 * 200 with {@code {"code":0,"msg":"success"}} (older bots: {@code StatusCode}); 11232 and 9499 (frequency limited)
 * are worth a retry, any other non-zero code is not.
 */
public final class FeishuApi implements ChatApi {

    static final Set<Long> TOO_FREQUENT = Set.of(11232L, 9499L);

    private final ChatEndpoint endpoint;
    private final ErrorCodeCheck check;

    public FeishuApi(ChatEndpoint endpoint) {
        this.endpoint = endpoint;
        this.check = new ErrorCodeCheck(List.of("code", "StatusCode"), List.of("msg", "StatusMessage"),
                TOO_FREQUENT, endpoint.sender().redactor());
    }

    @Override
    public String kind() {
        return "feishu";
    }

    @Override
    public Future<Delivery> post(ChatMessage message) {
        JsonObject card = new JsonObject()
                .put("config", new JsonObject().put("wide_screen_mode", true))
                .put("header", new JsonObject().put("title",
                        new JsonObject().put("tag", "plain_text").put("content", message.title())))
                .put("elements", new JsonArray().add(new JsonObject().put("tag", "div")
                        .put("text", new JsonObject().put("tag", "lark_md").put("content", message.text()))));
        JsonObject body = new JsonObject();
        if (endpoint.signingSecret() != null) {
            long timestamp = endpoint.sender().clock().instant().getEpochSecond();
            body.put("timestamp", Long.toString(timestamp))
                    .put("sign", sign(timestamp, endpoint.signingSecret().reveal()));
        }
        body.put("msg_type", "interactive").put("card", card);
        return endpoint.sender().post(endpoint.url().reveal(), ChatEndpoint.jsonHeaders(), body.toBuffer(), check);
    }

    /** Base64 of HMAC-SHA256(key = timestamp + "\n" + secret, empty message). */
    static String sign(long timestampSeconds, String secret) {
        byte[] key = (timestampSeconds + "\n" + secret).getBytes(StandardCharsets.UTF_8);
        return Base64.getEncoder().encodeToString(Hmac.sha256(key, new byte[0]));
    }

    @Override
    public void close() {
        endpoint.sender().close();
    }
}
