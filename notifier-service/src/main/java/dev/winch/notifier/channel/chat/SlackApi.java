package dev.winch.notifier.channel.chat;

import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.http.AnswerCheck;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * A Slack incoming webhook ({@code https://hooks.slack.com/services/T.../B.../...}).
 *
 * <pre>{"text":"*APPLIED* demo/web ..."}</pre>
 *
 * <p>The text is mrkdwn. Slack answers 200 with the body {@code ok} (a Workflow Builder webhook:
 * {@code {"ok":true}}); errors come as 4xx with a word
 * ({@code invalid_payload}, {@code no_service}), rate limiting as 429 with {@code Retry-After}.
 */
public final class SlackApi implements ChatApi {

    private final ChatEndpoint endpoint;
    private final AnswerCheck check;

    public SlackApi(ChatEndpoint endpoint) {
        this.endpoint = endpoint;
        this.check = answer -> ok(answer.body()) ? new Delivery.Delivered(answer.status())
                : new Delivery.Rejected("HTTP " + answer.status() + " without ok"
                        + endpoint.sender().shortBody(answer.body()));
    }

    /** {@code ok} from an incoming webhook, {@code {"ok":true}} from a Workflow Builder webhook. */
    private static boolean ok(String body) {
        String text = body.strip();
        if (text.equals("ok")) {
            return true;
        }
        if (text.startsWith("{")) {
            try {
                return Boolean.TRUE.equals(new JsonObject(text).getValue("ok"));
            } catch (RuntimeException e) {
                return false;
            }
        }
        return false;
    }

    @Override
    public String kind() {
        return "slack";
    }

    @Override
    public Future<Delivery> post(ChatMessage message) {
        JsonObject body = new JsonObject().put("text", message.text());
        return endpoint.sender().post(endpoint.url().reveal(), ChatEndpoint.jsonHeaders(), body.toBuffer(), check);
    }

    @Override
    public void close() {
        endpoint.sender().close();
    }
}
