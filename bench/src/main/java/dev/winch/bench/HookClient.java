package dev.winch.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Posts to the gateway's webhook URLs and notes when each answer came back. One JDK HTTP client (HTTP/1.1,
 * kept-alive connections), shared by the benchmark's client threads; each thread has one request in flight.
 */
final class HookClient {

    /**
     * One request.
     *
     * @param sentAt     just before the request was handed to the client
     * @param answeredAt just after the whole answer was read: the "202 time"
     * @param eventIds   the ids the gateway answered with (empty unless 202)
     */
    record Answer(int status, List<String> eventIds, Instant sentAt, Instant answeredAt, String body) {

        boolean accepted() {
            return status == 202 && !eventIds.isEmpty();
        }

        String eventId() {
            return eventIds.get(0);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    HookClient(int port, String token) {
        this.base = "http://127.0.0.1:" + port + "/hooks/";
        this.token = token;
    }

    /** POSTs {@code body} (none when null, as a plain Rancher-style trigger) to receiver {@code receiver}. */
    Answer post(String receiver, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + receiver + "?token=" + token))
                .timeout(Duration.ofSeconds(30));
        if (body == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        Instant sent = Instant.now();
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Instant answered = Instant.now();
        List<String> ids = new ArrayList<>();
        if (response.statusCode() == 202) {
            JsonArray array = new JsonObject(response.body()).getJsonArray("eventIds", new JsonArray());
            array.forEach(id -> ids.add(String.valueOf(id)));
        }
        return new Answer(response.statusCode(), List.copyOf(ids), sent, answered, response.body());
    }
}
