package dev.winch.gateway;

import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.gateway.http.ApiError;
import dev.winch.gateway.http.HookHandler;
import dev.winch.gateway.receiver.ReceiverRegistry;
import dev.winch.gateway.receiver.ReceiversFile;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway: receivers, the trigger endpoint, on the runtime's Vert.x and Kafka publisher. */
public final class GatewayService {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayService.class);

    private final ServiceRuntime runtime;
    private final GatewayConfig config;
    private final ReceiverRegistry receivers = new ReceiverRegistry();
    private HttpServer server;

    public GatewayService(ServiceRuntime runtime, GatewayConfig config) {
        this.runtime = runtime;
        this.config = config;
    }

    /** Loads the receivers file, starts the HTTP server; completes with the port it listens on. */
    public Future<Integer> start() {
        return runtime.blocking()
                .call(() -> config.receiversFile().map(path -> {
                    try {
                        return ReceiversFile.load(path);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException("cannot read " + path, e);
                    }
                }).orElse(java.util.List.of()))
                .compose(loaded -> {
                    receivers.putAll(loaded);
                    LOG.info("{} receiver(s) loaded", loaded.size());
                    return runtime.vertx().createHttpServer()
                            .requestHandler(router())
                            .listen(config.httpPort(), "0.0.0.0");
                })
                .map(s -> {
                    server = s;
                    runtime.onClose(s::close);
                    return s.actualPort();
                });
    }

    public ReceiverRegistry receivers() {
        return receivers;
    }

    Router router() {
        Router router = Router.router(runtime.vertx());
        router.post("/hooks/:id")
                .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
                .handler(new HookHandler(receivers, runtime.publisher(), runtime.clock(), runtime.registry()));
        router.errorHandler(404, ctx -> new ApiError(404, "not_found", "no such endpoint").send(ctx));
        router.errorHandler(405, ctx -> new ApiError(405, "method_not_allowed", "use POST").send(ctx));
        router.errorHandler(413, ctx -> new ApiError(413, "payload_too_large",
                "the body is larger than " + config.maxBodyBytes() + " bytes").send(ctx));
        router.errorHandler(500, ctx -> {
            LOG.error("Unhandled error on {}", ctx.request().path(), ctx.failure());
            new ApiError(500, "internal_error", "unexpected error").send(ctx);
        });
        return router;
    }
}
