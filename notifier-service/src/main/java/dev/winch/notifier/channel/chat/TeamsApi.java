package dev.winch.notifier.channel.chat;

import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.http.AnswerCheck;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Microsoft Teams incoming webhook (a Workflows "post to a channel when a webhook request is received" URL, or
 * a legacy connector URL), sending an Adaptive Card:
 *
 * <pre>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
 *  "content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4",
 *  "body":[{"type":"TextBlock","text":"APPLIED demo/web","weight":"Bolder","size":"Medium","wrap":true},
 *          {"type":"TextBlock","text":"...","wrap":true}]}}]}</pre>
 *
 * <p>Any 2xx is success (Workflows answer 202). Legacy connectors answered 200 with a text saying
 * {@code HTTP error 429} when throttled: that is a retry.
 */
public final class TeamsApi implements ChatApi {

    private final ChatEndpoint endpoint;
    private final AnswerCheck check;

    public TeamsApi(ChatEndpoint endpoint) {
        this.endpoint = endpoint;
        this.check = answer -> answer.body().contains("HTTP error 429")
                ? new Delivery.Retry("throttled" + endpoint.sender().shortBody(answer.body()), null)
                : new Delivery.Delivered(answer.status());
    }

    @Override
    public String kind() {
        return "teams";
    }

    @Override
    public Future<Delivery> post(ChatMessage message) {
        JsonObject card = new JsonObject()
                .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
                .put("type", "AdaptiveCard")
                .put("version", "1.4")
                .put("body", new JsonArray()
                        .add(new JsonObject().put("type", "TextBlock").put("text", message.title())
                                .put("weight", "Bolder").put("size", "Medium").put("wrap", true))
                        .add(new JsonObject().put("type", "TextBlock").put("text", message.text())
                                .put("wrap", true)));
        JsonObject body = new JsonObject().put("type", "message").put("attachments", new JsonArray()
                .add(new JsonObject().put("contentType", "application/vnd.microsoft.card.adaptive")
                        .put("content", card)));
        return endpoint.sender().post(endpoint.url().reveal(), ChatEndpoint.jsonHeaders(), body.toBuffer(), check);
    }

    @Override
    public void close() {
        endpoint.sender().close();
    }
}
