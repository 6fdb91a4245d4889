package dev.winch.bench;

import dev.winch.common.kafka.KafkaSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.concurrent.TimeUnit;

/**
 * The limit the gateway is compared with: a Vert.x HTTP server that writes each body as it is to a topic, with the
 * producer settings every Winch service uses (acks=all, idempotent, linger.ms=0), and answers 202 only after the
 * broker acknowledged it. No routing, auth, parsing or logging. Like the gateway it is one HTTP server created
 * outside a verticle, so both serve their connections from one event loop.
 *
 * <p>The record key is the {@code key} query parameter; the load generator sends the repository it pushes, which
 * is the gateway's record key too, so both spread over the partitions alike.
 */
final class BareServer {

    private final Vertx vertx;
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private HttpServer server;

    private BareServer(Vertx vertx, String bootstrapServers, String topic) {
        this.vertx = vertx;
        this.producer = KafkaProducer.create(vertx, KafkaSettings.producer(bootstrapServers, "bench-bare"));
        this.topic = topic;
    }

    /** Starts on a free port of 127.0.0.1; completes with the server. */
    static Future<BareServer> start(String bootstrapServers, String topic) {
        BareServer bare = new BareServer(Vertx.vertx(), bootstrapServers, topic);
        return bare.vertx.createHttpServer()
                .requestHandler(bare::handle)
                .listen(0, "127.0.0.1")
                .map(server -> {
                    bare.server = server;
                    return bare;
                });
    }

    int port() {
        return server.actualPort();
    }

    /**
     * Stops in order, waiting on the calling thread: Vert.x is closed from outside its own event loops, because a
     * close future created on a loop it terminates can never be completed.
     */
    void close(long timeoutSeconds) throws Exception {
        server.close().await(timeoutSeconds, TimeUnit.SECONDS);
        producer.close().await(timeoutSeconds, TimeUnit.SECONDS);
        vertx.close().await(timeoutSeconds, TimeUnit.SECONDS);
    }

    private void handle(HttpServerRequest request) {
        String key = request.getParam("key");
        request.body()
                .compose(body -> producer.send(KafkaProducerRecord.create(topic, key, body.getBytes())))
                .onComplete(ar -> request.response().setStatusCode(ar.succeeded() ? 202 : 503).end());
    }
}
