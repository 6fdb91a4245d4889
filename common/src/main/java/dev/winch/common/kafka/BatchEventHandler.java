package dev.winch.common.kafka;

import dev.winch.common.event.Event;
import io.vertx.core.Future;
import java.util.List;

/**
 * Like {@link EventHandler}, for workers that fold work: it gets the events waiting on one partition (in partition
 * order, at most the configured batch size) at once, and their offsets are committed together once the future
 * succeeds. A failed future retries the whole batch; after the last attempt every record of it is dead-lettered.
 *
 * <p>Each event comes with its record's {@link RecordPosition}: a worker that folds many events into one change
 * can record the highest offset it applied, which recognises every redelivered record of the batch however many
 * there were, where a list of event ids would have to hold them all.
 */
@FunctionalInterface
public interface BatchEventHandler {

    /** {@code positions.get(i)} is where {@code events.get(i)} was read; both lists have the same size. */
    Future<Void> handle(List<Event<?>> events, List<RecordPosition> positions);

    /** A single-event handler run on batches of one. */
    static BatchEventHandler of(EventHandler handler) {
        return (events, positions) -> {
            if (events.size() != 1) {
                throw new IllegalStateException("a single-event handler got " + events.size() + " events");
            }
            return handler.handle(events.get(0));
        };
    }
}
