package dev.winch.common.kafka;

import dev.winch.common.event.Event;
import io.vertx.core.Future;
import java.util.List;

/**
 * Like {@link EventHandler}, for workers that fold work: it gets the events waiting on one partition (in partition
 * order, at most the configured batch size) at once, and their offsets are committed together once the future
 * succeeds. A failed future retries the whole batch; after the last attempt every record of it is dead-lettered.
 */
@FunctionalInterface
public interface BatchEventHandler {

    Future<Void> handle(List<Event<?>> events);

    /** A single-event handler run on batches of one. */
    static BatchEventHandler of(EventHandler handler) {
        return events -> {
            if (events.size() != 1) {
                throw new IllegalStateException("a single-event handler got " + events.size() + " events");
            }
            return handler.handle(events.get(0));
        };
    }
}
