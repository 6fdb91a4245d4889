package dev.winch.gateway;

import dev.winch.gateway.http.InvalidRequests;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One instance of the gateway's HTTP server, on its own event loop. The gateway deploys {@code WINCH_GATEWAY_INSTANCES}
 * of them on one port: Vert.x binds the socket once and hands each accepted connection to the next instance in turn,
 * so connections, and the requests on them, spread over the event loops. What the instances share (receivers, the
 * hook handler and its in-flight limit, the status store, the producer) is made once by {@link GatewayService} and
 * is safe to use from any event loop.
 */
final class HttpServerVerticle extends VerticleBase {

    private final Supplier<Handler<HttpServerRequest>> requestHandler;
    private final int port;
    private final String host;
    private final AtomicInteger actualPort;

    /**
     * @param requestHandler makes this instance's handler (its own router); called on the instance's event loop
     * @param port           the port; a negative one is a free port shared by every instance of the deployment
     * @param actualPort     set to the port listened on
     */
    HttpServerVerticle(Supplier<Handler<HttpServerRequest>> requestHandler, int port, String host,
            AtomicInteger actualPort) {
        this.requestHandler = requestHandler;
        this.port = port;
        this.host = host;
        this.actualPort = actualPort;
    }

    @Override
    public Future<?> start() {
        // The server is closed when the instance is undeployed.
        return vertx.createHttpServer(InvalidRequests.limits(new HttpServerOptions()))
                .invalidRequestHandler(new InvalidRequests())
                .requestHandler(requestHandler.get())
                .listen(port, host)
                .onSuccess(server -> actualPort.set(server.actualPort()));
    }
}
