package dev.winch.notifier.delivery;

import dev.winch.common.event.Event;
import dev.winch.notifier.channel.Notification;
import java.util.List;

/**
 * What the delivery engine delivers, read from one topic: which channels an event goes to and the message that
 * tells about it. The engine does the rest (one consumer group per channel, idempotency, retries, rate limits,
 * digests, dead letters), whatever the events are: action results today, Kubernetes events next.
 */
public interface NotificationSource {

    /** The topic the events are read from. */
    String topic();

    /** Whether {@code event} goes to {@code channel}. */
    boolean selects(Event<?> event, String channel);

    /** The message for one event. */
    Notification single(Event<?> event);

    /**
     * One message for several events folded together, oldest first.
     *
     * @param window a phrase for the period they came in, e.g. "the last minute"
     */
    Notification digest(List<Event<?>> events, String window);
}
