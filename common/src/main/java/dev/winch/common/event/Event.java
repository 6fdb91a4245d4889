package dev.winch.common.event;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A Winch event: the CloudEvent attributes Winch uses plus its typed data.
 *
 * @param id     the CloudEvent id, the idempotency key end to end
 * @param source who produced it, e.g. {@code /winch/gateway/hooks/demo-web}
 * @param time   when it was produced
 * @param data   the typed data; its {@link WinchEvent#partitionKey()} is the record key and the CloudEvent subject
 */
public record Event<T extends WinchEvent>(String id, URI source, Instant time, T data) {

    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
        if (id.isBlank()) {
            throw new IllegalArgumentException("id must not be blank");
        }
    }

    /** A new event with a random id, for producers that have no delivery id to derive one from. */
    public static <T extends WinchEvent> Event<T> create(URI source, T data, Clock clock) {
        return new Event<>(UUID.randomUUID().toString(), source, clock.instant(), data);
    }

    public EventType type() {
        return EventType.of(data);
    }

    public String key() {
        return data.partitionKey();
    }

    public String topic() {
        return type().topic();
    }

    /** The data as the given type, for consumers of one topic that know what they read. */
    public <D extends WinchEvent> D dataAs(Class<D> type) {
        return type.cast(data);
    }
}
