package dev.winch.gateway.http;

import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The one error shape of every HTTP answer that is not a success:
 * {@code {"code": 400, "error": "invalid_payload", "message": "...", "validationErrors": [{"field", "message"}]}}.
 * Messages never echo secrets.
 */
public record ApiError(int code, String error, String message, List<FieldError> validationErrors) {

    public ApiError(int code, String error, String message) {
        this(code, error, message, List.of());
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("code", code).put("error", error).put("message", message);
        if (!validationErrors.isEmpty()) {
            JsonArray list = new JsonArray();
            validationErrors.forEach(e -> list.add(new JsonObject().put("field", e.field()).put("message", e.message())));
            json.put("validationErrors", list);
        }
        return json;
    }

    public void send(RoutingContext ctx) {
        send(ctx.response());
    }

    public void send(HttpServerResponse response) {
        if (response.ended()) {
            return;
        }
        response
                .setStatusCode(code)
                .putHeader("Content-Type", "application/json")
                .end(toJson().encode());
    }

    /** A body over the limit, whether its length was declared or found while reading it. */
    public static ApiError payloadTooLarge(int maxBodyBytes) {
        return new ApiError(413, "payload_too_large", "the body is larger than " + maxBodyBytes + " bytes");
    }

    /** A failure of the gateway itself; the cause goes to the log, never to the sender. */
    public static ApiError internal() {
        return new ApiError(500, "internal_error", "unexpected error");
    }

    public static ApiError notFound() {
        // The same answer for an unknown receiver and a wrong token, so receiver ids cannot be probed.
        return new ApiError(404, "not_found", "no such receiver, or wrong credentials");
    }
}
