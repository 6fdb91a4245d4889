package dev.winch.common.kafka;

import dev.winch.common.event.Event;
import dev.winch.common.event.WinchEvent;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Handlers for consumers of one topic that carries one event type: the type check and the cast live here once,
 * so a service's handler takes {@code Event<T>}.
 *
 * <p>The consumer already dead-letters an event whose type belongs on another Winch topic, one record, before
 * batching; the check here guards topics the consumer cannot match to a type. An event of another type is a
 * {@link PermanentFailure}: no attempt of this handler can use it.
 */
public final class TypedEvents {

    private TypedEvents() {
    }

    /** What a worker does with one event of type {@code T}; see {@link EventHandler}. */
    @FunctionalInterface
    public interface Handler<T extends WinchEvent> {

        Future<Void> handle(Event<T> event);
    }

    /** What a worker does with a partition's waiting events of type {@code T}; see {@link BatchEventHandler}. */
    @FunctionalInterface
    public interface BatchHandler<T extends WinchEvent> {

        Future<Void> handle(List<Event<T>> events, List<RecordPosition> positions);
    }

    /** {@code handler} behind a check that each event read from {@code topic} carries a {@code type}. */
    public static <T extends WinchEvent> EventHandler of(String topic, Class<T> type, Handler<T> handler) {
        return event -> {
            Event<T> typed;
            try {
                typed = cast(topic, type, event);
            } catch (PermanentFailure e) {
                return Future.failedFuture(e);
            }
            return handler.handle(typed);
        };
    }

    /** As {@link #of(String, Class, Handler)} for batches: one event of another type fails the batch. */
    public static <T extends WinchEvent> BatchEventHandler ofBatches(String topic, Class<T> type,
            BatchHandler<T> handler) {
        return (events, positions) -> {
            List<Event<T>> typed = new ArrayList<>(events.size());
            try {
                for (Event<?> event : events) {
                    typed.add(cast(topic, type, event));
                }
            } catch (PermanentFailure e) {
                return Future.failedFuture(e);
            }
            return handler.handle(typed, positions);
        };
    }

    @SuppressWarnings("unchecked")
    private static <T extends WinchEvent> Event<T> cast(String topic, Class<T> type, Event<?> event)
            throws PermanentFailure {
        if (!type.isInstance(event.data())) {
            throw new PermanentFailure("expected " + topic + " to carry " + type.getSimpleName() + " events, got "
                    + event.type().type() + " (event " + event.id() + ")");
        }
        return (Event<T>) event;
    }
}
