package dev.winch.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A plain HTTP/1.1 client, as a registry or Alertmanager would call the gateway, and the error shape it sees. */
public final class Http {

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public static HttpRequest.Builder to(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(URI uri) {
        return send(to(uri).GET());
    }

    public static JsonObject json(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Type")).as("Content-Type of %s", response.body())
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        return new JsonObject(response.body());
    }

    /** The event ids of a 202 answer. */
    public static List<String> eventIds(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        List<String> ids = new ArrayList<>();
        json(response).getJsonArray("eventIds").forEach(id -> ids.add((String) id));
        return ids;
    }

    /**
     * Asserts the one error shape of the gateway, {@code {code, error, message, validationErrors[{field, message}]}},
     * and returns the field paths of its validation errors (empty when it has none).
     */
    public static List<String> assertApiError(HttpResponse<String> response, int code, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(code);
        JsonObject body = json(response);
        assertThat(body.getInteger("code")).isEqualTo(code);
        assertThat(body.getString("error")).isEqualTo(error);
        assertThat(body.getString("message")).isNotBlank();
        assertThat(body.fieldNames()).isSubsetOf("code", "error", "message", "validationErrors");
        List<String> fields = new ArrayList<>();
        JsonArray errors = body.getJsonArray("validationErrors", new JsonArray());
        for (Object item : errors) {
            JsonObject fieldError = (JsonObject) item;
            assertThat(fieldError.fieldNames()).containsExactlyInAnyOrder("field", "message");
            assertThat(fieldError.getString("message")).as("message of %s", fieldError).isNotBlank();
            fields.add(fieldError.getString("field"));
        }
        return fields;
    }
}
