package dev.winch.notifier.channel.chat;

import dev.winch.notifier.channel.Delivery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * A WeCom (WeChat Work) group robot ({@code https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...}).
 *
 * <pre>{"msgtype":"markdown","markdown":{"content":"### APPLIED ..."}}</pre>
 *
 * <p>It answers 200 with {@code {"errcode":0,"errmsg":"ok"}}; errcode 45009 (the robot's 20 messages a minute
 * used up) is worth a retry, any other non-zero code is not. WeCom markdown has no title: the title is not sent.
 */
public final class WeComApi implements ChatApi {

    static final long FREQUENCY_LIMIT = 45009;

    private final ChatEndpoint endpoint;
    private final ErrorCodeCheck check;

    public WeComApi(ChatEndpoint endpoint) {
        this.endpoint = endpoint;
        this.check = new ErrorCodeCheck(List.of("errcode"), List.of("errmsg"), Set.of(FREQUENCY_LIMIT),
                endpoint.sender().redactor());
    }

    @Override
    public String kind() {
        return "wecom";
    }

    @Override
    public Future<Delivery> post(ChatMessage message) {
        JsonObject body = new JsonObject().put("msgtype", "markdown")
                .put("markdown", new JsonObject().put("content", message.text()));
        return endpoint.sender().post(endpoint.url().reveal(), ChatEndpoint.jsonHeaders(), body.toBuffer(), check);
    }

    @Override
    public void close() {
        endpoint.sender().close();
    }
}
