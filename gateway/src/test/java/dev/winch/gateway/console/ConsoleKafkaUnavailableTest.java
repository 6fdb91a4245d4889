package dev.winch.gateway.console;

import static dev.winch.gateway.Http.assertApiError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.gateway.Http;
import dev.winch.gateway.deadletter.DeadLetters;
import dev.winch.gateway.http.ConsoleRoutes;
import dev.winch.gateway.status.EventStatusStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When Kafka cannot be asked, the console's Kafka endpoints answer 503 with Retry-After, and in bounded time. */
class ConsoleKafkaUnavailableTest {

    private final Vertx vertx = Vertx.vertx();
    private final Http http = new Http();
    private ConsoleKafka kafka;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        KafkaClientSettings nowhere = KafkaClientSettings.plaintext("127.0.0.1:" + closedPort);
        kafka = new ConsoleKafka(vertx, nowhere);
        Router api = Router.router(vertx);
        new ConsoleRoutes(new EventStatusStore(vertx, nowhere, 100), new DeadLetters(kafka), new ServiceHealth(kafka))
                .mount(api);
        Router root = Router.router(vertx);
        root.route("/api/v1/*").subRouter(api);
        server = vertx.createHttpServer().requestHandler(root).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        kafka.close().await(20, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.actualPort() + "/api/v1" + path);
    }

    @Test
    void serviceHealthIs503WithRetryAfter() {
        long started = System.nanoTime();

        HttpResponse<String> answer = http.get(uri("/health/services"));

        assertApiError(answer, 503, "unavailable");
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(15);
    }

    @Test
    void deadLettersAre503WithRetryAfter() {
        HttpResponse<String> answer = http.get(uri("/deadletters"));

        assertApiError(answer, 503, "unavailable");
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("5");
    }
}
