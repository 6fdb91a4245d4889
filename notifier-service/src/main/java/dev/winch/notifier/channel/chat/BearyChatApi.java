package dev.winch.notifier.channel.chat;

import dev.winch.notifier.channel.Delivery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * A BearyChat incoming robot ({@code https://hook.bearychat.com/=.../incoming/...}).
 *
 * <pre>{"text":"### APPLIED ...","markdown":true}</pre>
 *
 * <p>It answers with {@code {"code":0,...}}; a non-zero code is a rejection with its {@code error}.
 */
public final class BearyChatApi implements ChatApi {

    private final ChatEndpoint endpoint;
    private final ErrorCodeCheck check;

    public BearyChatApi(ChatEndpoint endpoint) {
        this.endpoint = endpoint;
        this.check = new ErrorCodeCheck(List.of("code"), List.of("error", "result"), Set.of(),
                endpoint.sender().redactor());
    }

    @Override
    public String kind() {
        return "bearychat";
    }

    @Override
    public Future<Delivery> post(ChatMessage message) {
        JsonObject body = new JsonObject().put("text", message.text()).put("markdown", true);
        return endpoint.sender().post(endpoint.url().reveal(), ChatEndpoint.jsonHeaders(), body.toBuffer(), check);
    }

    @Override
    public void close() {
        endpoint.sender().close();
    }
}
