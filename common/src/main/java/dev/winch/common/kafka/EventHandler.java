package dev.winch.common.kafka;

import dev.winch.common.event.Event;
import io.vertx.core.Future;

/**
 * What a worker does with one event. Called on the event loop; blocking work goes to the worker pool.
 * The record's offset is committed once the returned future succeeds. A failed future is retried with backoff;
 * after the last attempt, or at once for a {@link PermanentFailure}, the record goes to the dead-letter topic.
 *
 * <p>A business failure (the workload does not exist) is not a failed future: the handler reports it as a
 * failed result on {@code winch.results} and succeeds, so the partition moves on.
 */
@FunctionalInterface
public interface EventHandler {

    Future<Void> handle(Event<?> event);
}
