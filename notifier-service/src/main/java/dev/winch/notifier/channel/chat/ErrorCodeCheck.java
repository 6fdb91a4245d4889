package dev.winch.notifier.channel.chat;

import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.http.AnswerCheck;
import dev.winch.notifier.channel.http.HttpAnswer;
import dev.winch.notifier.channel.http.Redactor;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * The check of APIs that answer 200 with an error code in the body: code 0 (or no code at all) is success, a
 * "too many requests" code is worth a retry, any other code is a rejection with the API's message.
 */
public final class ErrorCodeCheck implements AnswerCheck {

    private final List<String> codeFields;
    private final List<String> messageFields;
    private final Set<Long> retryCodes;
    private final Redactor redactor;

    public ErrorCodeCheck(List<String> codeFields, List<String> messageFields, Set<Long> retryCodes,
            Redactor redactor) {
        this.codeFields = codeFields;
        this.messageFields = messageFields;
        this.retryCodes = retryCodes;
        this.redactor = redactor;
    }

    @Override
    public Delivery check(HttpAnswer answer) {
        JsonObject body;
        try {
            body = answer.body().isBlank() ? new JsonObject() : new JsonObject(answer.body());
        } catch (DecodeException | ClassCastException e) {
            // A 2xx whose body is not JSON: the API said nothing against it.
            return new Delivery.Delivered(answer.status());
        }
        for (String field : codeFields) {
            Object value = body.getValue(field);
            if (value instanceof Number number) {
                long code = number.longValue();
                if (code == 0) {
                    return new Delivery.Delivered(answer.status());
                }
                String reason = field + " " + code + message(body);
                return retryCodes.contains(code) ? new Delivery.Retry(reason, null) : new Delivery.Rejected(reason);
            }
        }
        return new Delivery.Delivered(answer.status());
    }

    private String message(JsonObject body) {
        for (String field : messageFields) {
            Object value = body.getValue(field);
            if (value != null && !value.toString().isBlank()) {
                return ": " + redactor.redact(value.toString());
            }
        }
        return "";
    }
}
