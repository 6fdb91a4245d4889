package dev.winch.upgrader;

import dev.winch.common.event.ActionResult;
import io.vertx.core.Future;

/** Where results go: {@code winch.results} through the runtime's reporter; a list in tests. */
@FunctionalInterface
interface ResultSink {

    /** Completes once the result is stored. */
    Future<Void> report(ActionResult result);
}
