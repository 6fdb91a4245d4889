package dev.winch.notifier.channel;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A local HTTP server standing in for a chat API: records every request, answers what the test queued. */
public final class RecordingServer implements AutoCloseable {

    public record Request(String method, String path, String rawQuery, MultiMap params, MultiMap headers,
            Buffer body) {
    }

    public record Answer(int status, Map<String, String> headers, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Deque<Answer> answers = new ArrayDeque<>();
    private volatile Answer fallback = new Answer(200, Map.of(), "");

    private RecordingServer(Vertx vertx, HttpServerOptions options) {
        this.server = vertx.createHttpServer(options).requestHandler(request -> request.body().onSuccess(body -> {
            requests.add(new Request(request.method().name(), request.path(), request.query(),
                    MultiMap.caseInsensitiveMultiMap().addAll(request.params()),
                    MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body));
            Answer answer;
            synchronized (answers) {
                answer = answers.isEmpty() ? fallback : answers.poll();
            }
            if (answer == null) {
                return; // never answer: a timeout
            }
            request.response().setStatusCode(answer.status());
            answer.headers().forEach(request.response()::putHeader);
            request.response().end(answer.body());
        }));
    }

    public static RecordingServer start(Vertx vertx) {
        RecordingServer recording = new RecordingServer(vertx, new HttpServerOptions());
        recording.server.listen(0, "127.0.0.1").await();
        return recording;
    }

    /** An HTTPS server with the given certificate and key (PEM). */
    public static RecordingServer startTls(Vertx vertx, String certificatePem, String keyPem) {
        RecordingServer recording = new RecordingServer(vertx, new HttpServerOptions().setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(certificatePem))
                        .addKeyValue(Buffer.buffer(keyPem))));
        recording.server.listen(0, "127.0.0.1").await();
        return recording;
    }

    /** Answers every request without a queued answer this way. */
    public RecordingServer answerAlways(int status, String body) {
        fallback = new Answer(status, Map.of(), body);
        return this;
    }

    /** Answers the next request this way. */
    public RecordingServer answerNext(int status, Map<String, String> headers, String body) {
        synchronized (answers) {
            answers.add(new Answer(status, headers, body));
        }
        return this;
    }

    /** Never answers. */
    public RecordingServer silent() {
        fallback = null;
        return this;
    }

    public String url(String pathAndQuery) {
        return "http://127.0.0.1:" + server.actualPort() + pathAndQuery;
    }

    public int port() {
        return server.actualPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public Request only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected one request, got " + requests.size());
        }
        return requests.get(0);
    }

    @Override
    public void close() {
        server.close().await();
    }
}
