package dev.winch.common.runtime;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The management port of every service, on its own router: {@code /health/live}, {@code /health/ready},
 * {@code /metrics} (Prometheus text format, written by Vert.x Micrometer's scraping handler from the service's own
 * registry). Business routes never live here.
 */
final class ManagementServer {

    private final Vertx vertx;
    private final Readiness readiness;
    private final PrometheusMeterRegistry registry;
    private HttpServer server;

    ManagementServer(Vertx vertx, Readiness readiness, PrometheusMeterRegistry registry) {
        this.vertx = vertx;
        this.readiness = readiness;
        this.registry = registry;
    }

    Future<Integer> start(String host, int port) {
        // Live means the event loop answers; a stuck dependency makes a service unready, not dead.
        HealthChecks live = HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
        Router router = Router.router(vertx);
        router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
        router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness.checks()));
        router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
        return vertx.createHttpServer()
                .requestHandler(router)
                .listen(port, host)
                .map(s -> {
                    server = s;
                    return s.actualPort();
                });
    }

    Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
