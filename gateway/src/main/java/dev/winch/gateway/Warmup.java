package dev.winch.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.event.EventCodec;
import dev.winch.common.kafka.EventPublisher;
import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.gateway.http.ApiError;
import dev.winch.gateway.http.HookHandler;
import dev.winch.gateway.http.InvalidRequests;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.receiver.ReceiverRegistry;
import dev.winch.gateway.receiver.ReceiverSpec;
import dev.winch.gateway.receiver.ReceiverValidator;
import dev.winch.gateway.status.EventStatusStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Runs the request path before the gateway serves, so the JIT has compiled it when the first sender arrives: a cold
 * gateway handles a fraction of its warm rate for its first seconds.
 *
 * <p>The requests are real HTTP over loopback, from a client in a Vert.x instance of its own, to a server on a free
 * loopback port whose handler is the gateway's own ({@link GatewayService#plainHookId} then {@link HookHandler}):
 * the same decoding, authentication, parsing, planning, CloudEvent encoding and hand-over to a producer as a real
 * request. Nothing of the gateway's state is touched: the receivers are two synthetic ones in a registry of the
 * warm-up's own, the producer is {@link EventPublisher#discarding} (nothing reaches Kafka), the delivery status goes
 * to a store that is thrown away, the meters to a registry that is thrown away, and the handler's INFO lines are
 * switched off while it runs. Vert.x's own HTTP metrics are not collected for the gateway, and the client's
 * Vert.x instance has none.
 *
 * <p>Also the training run of the class-data archive built into the image ({@code deploy/Dockerfile}): {@link #main}
 * runs it without Kafka and exits, so the JVM archives the classes the request path loads.
 */
public final class Warmup {

    private static final String TOKEN = "warm-up-token-not-a-secret";
    private static final String WRONG_TOKEN = "warm-up-wrong-token";
    private static final int CONNECTIONS = 8;
    private static final Duration MAX_DURATION = Duration.ofSeconds(15);
    /** The Docker Hub sample of seed 001, as a registry sends it. */
    private static final String DOCKER_HUB_PUSH = """
            {"push_data":{"pushed_at":1552553567,"images":[],"tag":"latest","pusher":"hongxiaolu"},
             "callback_url":"","repository":{"status":"Active","description":"iperf3","is_trusted":true,
             "full_description":"# iperf3","repo_url":"","owner":"hongxiaolu","is_official":false,"is_private":false,
             "name":"iperf3","namespace":"hongxiaolu","star_count":0,"comment_count":0,"date_created":1540013520,
             "dockerfile":"# ","repo_name":"hongxiaolu/iperf3"}}
            """;

    private final Vertx vertx;
    private final Clock clock;
    private final KafkaClientSettings kafka;
    private final int maxInFlight;
    private final int maxBodyBytes;

    public Warmup(Vertx vertx, Clock clock, GatewayConfig config) {
        this(vertx, clock, config.runtime().kafka(), config.maxInFlight(), config.maxBodyBytes());
    }

    Warmup(Vertx vertx, Clock clock, KafkaClientSettings kafka, int maxInFlight, int maxBodyBytes) {
        this.vertx = vertx;
        this.clock = clock;
        this.kafka = kafka;
        this.maxInFlight = maxInFlight;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** What a warm-up did: fewer requests than asked for when it ran out of time. */
    public record Done(int requests, long answered2xx, long millis) {

        @Override
        public String toString() {
            return requests + " synthetic requests in " + millis + " ms (" + answered2xx + " answered 2xx)";
        }
    }

    private record Sent(int requests, long answered2xx) {
    }

    /**
     * Sends {@code requests} requests (or as many as fit in 15 s: it delays readiness) and completes when every one
     * has been answered and the warm-up's server, client and producer are closed.
     */
    public Future<Done> run(int requests) {
        long started = System.nanoTime();
        ch.qos.logback.classic.Logger handlerLog = logbackLogger();
        ch.qos.logback.classic.Level level = handlerLog == null ? null : handlerLog.getLevel();
        EventPublisher publisher = EventPublisher.discarding(vertx, new EventCodec(), new SimpleMeterRegistry());
        ReceiverRegistry receivers;
        try {
            receivers = receivers();
        } catch (InvalidPayloadException e) {
            return Future.failedFuture(new IllegalStateException("the warm-up receivers are invalid: " + e.errors()));
        }
        // A store that is never started: it follows nothing and is dropped with the warm-up.
        HookHandler hooks = new HookHandler(receivers, publisher, new EventStatusStore(vertx, kafka, 100), clock,
                new SimpleMeterRegistry(), maxInFlight, maxBodyBytes);
        if (handlerLog != null) {
            // One INFO line per accepted event would be a line per synthetic request; warnings still show.
            handlerLog.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        Vertx client = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        return vertx.createHttpServer(InvalidRequests.limits(new HttpServerOptions()))
                .requestHandler(request -> {
                    String id = GatewayService.plainHookId(request);
                    if (id == null) {
                        ApiError.notFound().send(request.response());
                    } else {
                        hooks.accept(request, id);
                    }
                })
                .listen(0, "127.0.0.1")
                .compose(server -> load(client, server.actualPort(), requests)
                        .eventually(() -> server.close()))
                .map(sent -> new Done(sent.requests(), sent.answered2xx(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)))
                .eventually(() -> client.close())
                .eventually(() -> publisher.close())
                .onComplete(ar -> {
                    if (handlerLog != null) {
                        handlerLog.setLevel(level);
                    }
                });
    }

    /** The training run of the class-data archive: {@code java -cp app.jar dev.winch.gateway.Warmup [requests]}. */
    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        dev.winch.common.runtime.Logging.configure(dev.winch.common.config.RuntimeConfig.LogFormat.PLAIN);
        Vertx vertx = Vertx.vertx();
        try {
            Done done = new Warmup(vertx, Clock.systemUTC(), KafkaClientSettings.plaintext("127.0.0.1:9092"), 5_000,
                    1024 * 1024).run(requests).await(120, TimeUnit.SECONDS);
            System.out.println("warm-up: " + done);
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** Closed loop: {@link #CONNECTIONS} requests in flight until {@code requests} have been sent. */
    private Future<Sent> load(Vertx client, int port, int requests) {
        HttpClientAgent http = client.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(CONNECTIONS));
        long deadline = System.nanoTime() + MAX_DURATION.toNanos();
        AtomicInteger sent = new AtomicInteger();
        AtomicLong ok = new AtomicLong();
        AtomicInteger running = new AtomicInteger(CONNECTIONS);
        Promise<Sent> done = Promise.promise();
        Buffer push = Buffer.buffer(DOCKER_HUB_PUSH);
        client.runOnContext(v -> {
            for (int i = 0; i < CONNECTIONS; i++) {
                next(http, port, requests, deadline, sent, ok, running, done, push);
            }
        });
        return done.future().eventually(() -> http.close());
    }

    private void next(HttpClientAgent http, int port, int requests, long deadline, AtomicInteger sent, AtomicLong ok,
            AtomicInteger running, Promise<Sent> done, Buffer push) {
        int n = sent.getAndIncrement();
        if (n >= requests || System.nanoTime() > deadline) {
            sent.decrementAndGet();
            if (running.decrementAndGet() == 0) {
                done.tryComplete(new Sent(sent.get(), ok.get()));
            }
            return;
        }
        // Mostly registry pushes, some plain triggers, and now and then a wrong token: the paths senders take.
        boolean plain = n % 4 == 3;
        String token = n % 16 == 15 ? WRONG_TOKEN : TOKEN;
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI("/hooks/" + (plain ? "warm-up-scale" : "warm-up-push") + "?token=" + token);
        if (!plain) {
            options.putHeader("Content-Type", "application/json");
        }
        http.request(options)
                .compose(request -> plain ? request.send() : request.send(push))
                .compose(response -> response.body().map(body -> response.statusCode()))
                .onComplete(ar -> {
                    if (ar.succeeded() && ar.result() / 100 == 2) {
                        ok.incrementAndGet();
                    }
                    if (ar.failed() && !done.future().isComplete()) {
                        // The server is ours on loopback: a failure here means the warm-up cannot work; stop it.
                        done.tryFail(ar.cause());
                        return;
                    }
                    next(http, port, requests, deadline, sent, ok, running, done, push);
                });
    }

    private ReceiverRegistry receivers() throws InvalidPayloadException {
        // Without limits of their own the receivers take the registry's, which must not throttle the warm-up.
        ReceiverRegistry registry = new ReceiverRegistry(new ReceiverSpec.RateLimit(1_000_000, 1_000_000), clock);
        for (String spec : List.of("""
                {"id":"warm-up-push","kind":"redeploy","token":"%s",
                 "redeploy":{"namespace":"warm-up","workload":"deployment/web","container":"web"}}
                """, """
                {"id":"warm-up-scale","kind":"scaleService","token":"%s","scaleService":{"namespace":"warm-up",
                 "workload":"deployment/web","action":"up","amount":1,"min":1,"max":9}}
                """)) {
            JsonNode json = dev.winch.gateway.payload.JsonBodies.readObject(spec.formatted(TOKEN).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            registry.put(ReceiverValidator.validate(json, null, null, "warm-up", clock.instant()).spec());
        }
        return registry;
    }

    private static ch.qos.logback.classic.Logger logbackLogger() {
        return LoggerFactory.getLogger(HookHandler.class) instanceof ch.qos.logback.classic.Logger logger
                ? logger : null;
    }
}
