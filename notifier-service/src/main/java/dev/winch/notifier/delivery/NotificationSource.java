package dev.winch.notifier.delivery;

import dev.winch.common.event.Event;
import dev.winch.notifier.channel.Notification;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

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

    /**
     * The idempotency key of the event's message on a channel (with the channel): the record's id by default. A
     * source whose records can be written twice under different ids (a publication retried across a hand-over)
     * names what makes two records the same.
     */
    default String deliveryId(Event<?> event) {
        return event.id();
    }

    /** What {@link #admit} decided for an event a channel takes. */
    sealed interface Admission {
        /** Deliver it now (as every event of a source that holds nothing back). */
        Admission SEND = new Send();

        /** Deliver it now. */
        record Send() implements Admission {
        }

        /**
         * Hold it until {@code due}, then deliver it, unless another event held under the same {@code key} and
         * {@code due} replaces it first (a newer repeat).
         */
        record Hold(String key, Instant due) implements Admission {
        }

        /** Nothing to deliver: an event the channel already has (sent or held). */
        record Covered() implements Admission {
        }
    }

    /** A held event that is not delivered yet, as the engine keeps it. */
    record Held(Event<?> event, Instant due) {
    }

    /**
     * Whether {@code event}, which {@code channel} takes and has not delivered, goes now or is held back.
     *
     * @param held the event held under a key for this channel, if any (kept in Kafka, so it outlives a restart)
     */
    default Admission admit(Event<?> event, String channel, Function<String, Optional<Held>> held) {
        return Admission.SEND;
    }

    /** Whether a held event is still the one to deliver when it is due (not replaced or made stale since). */
    default boolean stillHeld(Event<?> event, String channel) {
        return true;
    }

    /** A held event of {@code channel} is being delivered now. */
    default void releasing(Event<?> event, String channel) {
    }
}
