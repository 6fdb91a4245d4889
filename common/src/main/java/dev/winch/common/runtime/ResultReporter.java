package dev.winch.common.runtime;

import dev.winch.common.event.ActionResult;
import io.vertx.core.Future;

/**
 * Where a worker reports what it did. A worker's handler completes (and its offset is committed) only after the
 * future succeeds, i.e. once the result is stored. In a service that is {@code winch.results}
 * ({@link ResultPublisher}); tests collect results in a list.
 */
@FunctionalInterface
public interface ResultReporter {

    /** Completes once the result is stored. */
    Future<Void> report(ActionResult result);

    /** The service's reporter: results go to {@code winch.results} through its publisher. */
    static ResultReporter of(ServiceRuntime runtime) {
        return new ResultPublisher(runtime.publisher(), runtime.config().serviceName(), runtime.clock(),
                runtime.registry());
    }
}
