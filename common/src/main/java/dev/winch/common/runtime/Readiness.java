package dev.winch.common.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.function.Supplier;

/**
 * The checks behind {@code /health/ready}: the service has finished starting, and what it depends on (Kafka,
 * Kubernetes) answers. A check is a future that must succeed within its timeout.
 */
public final class Readiness {

    private final HealthChecks checks;
    private volatile boolean started;

    Readiness(Vertx vertx) {
        this.checks = HealthChecks.create(vertx);
        register("started", 1_000, () -> started
                ? Future.succeededFuture()
                : Future.failedFuture("still starting"));
    }

    /** Adds a dependency check: ready only while {@code probe} succeeds within {@code timeoutMillis}. */
    public Readiness register(String name, long timeoutMillis, Supplier<Future<?>> probe) {
        checks.register(name, timeoutMillis, promise -> {
            Future<?> result;
            try {
                result = probe.get();
            } catch (RuntimeException e) {
                result = Future.failedFuture(e);
            }
            result.onComplete(ar -> promise.tryComplete(ar.succeeded()
                    ? Status.OK()
                    : Status.KO(new io.vertx.core.json.JsonObject().put("reason", String.valueOf(ar.cause())))));
        });
        return this;
    }

    void markStarted() {
        started = true;
    }

    HealthChecks checks() {
        return checks;
    }
}
