package dev.winch.gateway;

import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.gateway.http.AdminRoutes;
import dev.winch.gateway.console.ConsoleKafka;
import dev.winch.gateway.console.ServiceHealth;
import dev.winch.gateway.deadletter.DeadLetters;
import dev.winch.gateway.http.ApiError;
import dev.winch.gateway.http.ConsolePages;
import dev.winch.gateway.http.ConsoleRoutes;
import dev.winch.gateway.http.HookHandler;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.receiver.ChannelNames;
import dev.winch.gateway.receiver.ReceiverRegistry;
import dev.winch.gateway.receiver.ReceiverSpec;
import dev.winch.gateway.receiver.ReceiverStore;
import dev.winch.gateway.receiver.ReceiversFile;
import dev.winch.gateway.status.AcceptedEventSearch;
import dev.winch.gateway.status.EventStatusStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: receivers (file and compacted topic), the trigger endpoint, the admin API. It is ready only once it
 * has read every receiver already stored, so a replica never answers 404 for a receiver that exists.
 */
public final class GatewayService {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayService.class);
    private static final String HOOKS = "/hooks/";

    private final ServiceRuntime runtime;
    private final GatewayConfig config;
    private final ReceiverRegistry receivers;
    private final ReceiverStore store;
    private final EventStatusStore status;
    private final AcceptedEventSearch search;
    private final ConsoleKafka consoleKafka;
    /** Set at start, before the HTTP server exists. */
    private volatile ChannelNames channels = ChannelNames.unknown();

    public GatewayService(ServiceRuntime runtime, GatewayConfig config) {
        this.runtime = runtime;
        this.config = config;
        this.receivers = new ReceiverRegistry(
                new ReceiverSpec.RateLimit(config.ratePerSecond(), config.rateBurst()), runtime.clock());
        this.store = new ReceiverStore(runtime.vertx(), config.runtime().kafka(), receivers,
                runtime.publisher());
        this.status = new EventStatusStore(runtime.vertx(), config.runtime().kafka(),
                config.statusCapacity());
        this.search = new AcceptedEventSearch(runtime.vertx(), config.runtime().kafka(),
                config.statusCapacity());
        runtime.onClose(search::close);
        this.consoleKafka = new ConsoleKafka(runtime.vertx(), config.runtime().kafka());
        runtime.onClose(consoleKafka::close);
    }

    /**
     * Loads the receivers, catches up with the topics, warms the request path up meanwhile, then starts the HTTP server
     * instances; completes with their port.
     */
    public Future<Integer> start() {
        // The warm-up needs nothing from Kafka: it runs while the receivers and the results are caught up with.
        Future<Void> warmedUp = warmUp();
        return runtime.blocking().call(() -> {
                    channels = channelNames();
                    return fileReceivers();
                })
                .compose(loaded -> {
                    loaded.forEach(receivers::put);
                    LOG.info("{} receiver(s) from the receivers file", loaded.size());
                    runtime.onClose(store::stop);
                    return store.start();
                })
                .compose(v -> {
                    LOG.info("{} receiver(s) after reading the receivers topic", receivers.all().size());
                    runtime.onClose(status::stop);
                    return status.start();
                })
                .compose(v -> warmedUp)
                .compose(v -> listen());
    }

    /**
     * Sends {@code WINCH_GATEWAY_WARMUP} synthetic requests through the request path before anything listens (see
     * {@link Warmup}). It only makes the start faster: when it fails, the gateway starts anyway. Never fails.
     */
    private Future<Void> warmUp() {
        if (config.warmupRequests() == 0) {
            return Future.succeededFuture();
        }
        return new Warmup(runtime.vertx(), runtime.clock(), config).run(config.warmupRequests())
                .onSuccess(done -> LOG.info("Warm-up: {}", done))
                .<Void>mapEmpty()
                .recover(error -> {
                    LOG.warn("Warm-up did not complete, starting without it: {}", error.toString());
                    return Future.succeededFuture();
                });
    }

    /**
     * Deploys the HTTP server instances; completes with the port once every one listens. They share one hook handler,
     * so the in-flight limit, the gauge and the request meters are the process's, not an instance's.
     */
    private Future<Integer> listen() {
        HookHandler hooks = new HookHandler(receivers, runtime.publisher(), status, runtime.clock(),
                runtime.registry(), config.maxInFlight(), config.maxBodyBytes());
        // Port 0 would give every instance a port of its own; a negative port is one free port they all share.
        int port = config.httpPort() == 0 ? -1 : config.httpPort();
        AtomicInteger actualPort = new AtomicInteger();
        return runtime.vertx()
                .deployVerticle(() -> new HttpServerVerticle(() -> requestHandler(hooks), port, config.httpHost(),
                        actualPort), new DeploymentOptions().setInstances(config.instances()))
                .map(deployment -> {
                    runtime.onClose(() -> runtime.vertx().undeploy(deployment));
                    LOG.info("{} HTTP server instance(s) on port {}", config.instances(), actualPort.get());
                    return actualPort.get();
                });
    }

    public ReceiverRegistry receivers() {
        return receivers;
    }

    public EventStatusStore status() {
        return status;
    }

    private ChannelNames channelNames() {
        if (config.channelsFile().isEmpty()) {
            return ChannelNames.unknown();
        }
        try {
            return ChannelNames.read(config.channelsFile().get());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config.channelsFile().get(), e);
        }
    }

    private List<ReceiverSpec> fileReceivers() {
        if (config.receiversFile().isEmpty()) {
            return List.of();
        }
        try {
            List<ReceiverSpec> loaded = ReceiversFile.load(config.receiversFile().get(), runtime.clock().instant());
            for (int i = 0; i < loaded.size(); i++) {
                channels.check(loaded.get(i), "receivers[" + i + "].");
            }
            return loaded;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config.receiversFile().get(), e);
        } catch (InvalidPayloadException e) {
            throw new IllegalArgumentException(config.receiversFile().get() + ": " + e.getMessage() + ": "
                    + e.errors().stream().map(err -> err.field() + " " + err.message()).toList());
        }
    }

    /**
     * {@code POST /hooks/{id}} in its plain form, which is every trigger request, goes straight to the hook handler:
     * it is the hot path, and the router's per-request routing context, body handler and path matching cost a
     * noticeable share of it. Everything else, including hook paths the router has to normalise or requests that
     * expect {@code 100-continue}, goes through the router.
     */
    Handler<HttpServerRequest> requestHandler(HookHandler hooks) {
        Router router = router(hooks);
        return request -> {
            String id = plainHookId(request);
            if (id != null) {
                hooks.accept(request, id);
            } else {
                router.handle(request);
            }
        };
    }

    /** The receiver id of {@code POST /hooks/{id}} made only of id characters (no escapes to decode), else null. */
    static String plainHookId(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST || request.headers().contains(HttpHeaders.EXPECT)) {
            return null;
        }
        String path = request.path();
        if (path == null || !path.startsWith(HOOKS) || path.length() == HOOKS.length()) {
            return null;
        }
        for (int i = HOOKS.length(); i < path.length(); i++) {
            if (!ReceiverSpec.isIdCharacter(path.charAt(i))) {
                return null;
            }
        }
        String id = path.substring(HOOKS.length());
        return id.equals(".") || id.equals("..") ? null : id;
    }

    Router router(HookHandler hooks) {
        Router router = Router.router(runtime.vertx());
        router.post("/hooks/:id")
                .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
                .handler(hooks);
        new AdminRoutes(receivers, store, status, search, channels, config.adminToken(), config.publicUrl(),
                runtime.clock(), new ConsoleRoutes(status, new DeadLetters(consoleKafka),
                        new ServiceHealth(consoleKafka)))
                .mount(runtime.vertx(), router, config.maxBodyBytes());
        new ConsolePages(config.adminToken()).mount(router);
        // Vert.x Web answers a request it cannot route (e.g. a path with a broken escape) with 400 itself.
        router.errorHandler(400, ctx -> new ApiError(400, "bad_request", "the request cannot be read").send(ctx));
        router.errorHandler(404, ctx -> new ApiError(404, "not_found", "no such endpoint").send(ctx));
        router.errorHandler(405, ctx -> new ApiError(405, "method_not_allowed", "method not allowed here").send(ctx));
        router.errorHandler(413, ctx -> ApiError.payloadTooLarge(config.maxBodyBytes()).send(ctx));
        router.errorHandler(500, ctx -> {
            LOG.error("Unhandled error on {}", ctx.request().path(), ctx.failure());
            ApiError.internal().send(ctx);
        });
        return router;
    }
}
