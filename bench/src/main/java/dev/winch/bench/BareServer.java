package dev.winch.bench;

import dev.winch.bench.BenchOptions.BareProducer;
import dev.winch.common.event.EventCodec;
import dev.winch.common.kafka.EventPublisher;
import dev.winch.common.kafka.KafkaSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The limit the gateway is compared with: a Vert.x HTTP server that writes each body as it is to a topic, with the
 * producer settings every Winch service uses (acks=all, idempotent, linger.ms=0), and answers 202 only after the
 * broker acknowledged it. No routing, auth, parsing or logging. Like the gateway it serves its connections from
 * {@code instances} HTTP server instances sharing one port (Vert.x verticle instances, one event loop each), one
 * producer for all.
 *
 * <p>It writes through the gateway's own {@link EventPublisher} ({@link BareProducer#WINCH}, the default, so both
 * pay the same to reach Kafka) or through vertx-kafka-client's {@code KafkaProducer} ({@link BareProducer#VERTX},
 * which hands every record to a worker thread).
 *
 * <p>The record key is the {@code key} query parameter; the load generator sends the repository it pushes, which
 * is the gateway's record key too, so both spread over the partitions alike.
 */
final class BareServer {

    static final String PRODUCER_CLIENT_ID = "bench-bare";

    private final Vertx vertx;
    private final String topic;
    private final BiFunction<String, byte[], Future<?>> send;
    private final Runnable closeProducer;
    private volatile int port;
    private String deployment;

    private BareServer(Vertx vertx, String bootstrapServers, String topic, BareProducer producer) {
        this.vertx = vertx;
        this.topic = topic;
        var config = KafkaSettings.producer(bootstrapServers, PRODUCER_CLIENT_ID);
        if (producer == BareProducer.VERTX) {
            KafkaProducer<String, byte[]> kafka = KafkaProducer.create(vertx, config);
            this.send = (key, body) -> kafka.send(KafkaProducerRecord.create(topic, key, body));
            this.closeProducer = () -> await(kafka.close());
        } else {
            EventPublisher publisher = new EventPublisher(vertx, config, new EventCodec(), new SimpleMeterRegistry());
            this.send = (key, body) -> publisher.send(new ProducerRecord<>(topic, key, body));
            this.closeProducer = () -> await(publisher.close());
        }
    }

    /**
     * The bare server as a process of its own ({@code --deploy process}): {@code --bootstrap HOST:PORT --topic T
     * --producer winch|vertx --port N [--instances N]}. Serves until its standard input closes or it is sent SIGTERM.
     */
    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> named = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            named.put(args[i], args[i + 1]);
        }
        BenchLogging.configure(BenchOptions.GatewayLog.OFF, null);
        BareServer bare = start(named.get("--bootstrap"), named.get("--topic"),
                BareProducer.valueOf(named.get("--producer").toUpperCase(java.util.Locale.ROOT)),
                Integer.parseInt(named.get("--port")), Integer.parseInt(named.getOrDefault("--instances", "1")))
                .await(60, TimeUnit.SECONDS);
        System.out.println("LISTENING " + bare.port());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                bare.close(30);
            } catch (Exception e) {
                System.err.println("[bare] did not close cleanly: " + e);
            }
        }));
        while (System.in.read() >= 0) {
            // The parent holds our stdin open while it wants us.
        }
        System.exit(0);
    }

    /** Starts on a free port of 127.0.0.1; completes with the server. */
    static Future<BareServer> start(String bootstrapServers, String topic, BareProducer producer, int instances) {
        return start(bootstrapServers, topic, producer, 0, instances);
    }

    private static Future<BareServer> start(String bootstrapServers, String topic, BareProducer producer, int port,
            int instances) {
        BareServer bare = new BareServer(Vertx.vertx(), bootstrapServers, topic, producer);
        // As the gateway does: a negative port is one free port all instances share (0 would give each its own).
        int listenOn = port == 0 ? -1 : port;
        return bare.vertx.deployVerticle(() -> new VerticleBase() {
                    @Override
                    public Future<?> start() {
                        return vertx.createHttpServer().requestHandler(bare::handle).listen(listenOn, "127.0.0.1")
                                .onSuccess(server -> bare.port = server.actualPort());
                    }
                }, new DeploymentOptions().setInstances(instances))
                .map(deployment -> {
                    bare.deployment = deployment;
                    return bare;
                });
    }

    int port() {
        return port;
    }

    /**
     * Stops in order, waiting on the calling thread: Vert.x is closed from outside its own event loops, because a
     * close future created on a loop it terminates can never be completed.
     */
    void close(long timeoutSeconds) throws Exception {
        vertx.undeploy(deployment).await(timeoutSeconds, TimeUnit.SECONDS);
        closeProducer.run();
        vertx.close().await(timeoutSeconds, TimeUnit.SECONDS);
    }

    private void handle(HttpServerRequest request) {
        String key = request.getParam("key");
        request.body()
                .compose(body -> send.apply(key, body.getBytes()))
                .onComplete(ar -> request.response().setStatusCode(ar.succeeded() ? 202 : 503).end());
    }

    private static void await(Future<?> future) {
        try {
            future.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the bare server's producer did not close", e);
        }
    }
}
