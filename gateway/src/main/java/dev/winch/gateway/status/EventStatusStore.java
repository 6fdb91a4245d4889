package dev.winch.gateway.status;

import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.TopicFollower;
import dev.winch.gateway.receiver.Receiver;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What became of the events this gateway accepted: accepted, then the worker's results. Each replica keeps the
 * last {@code capacity} events in memory: those it accepted itself, those it found with an
 * {@link AcceptedEventSearch} when asked, and every event a worker reported on in {@code winch.results}, which it
 * follows from the moment it starts.
 *
 * <p>Thread-safe: every HTTP server instance records what it accepted and asks for statuses from its own event loop,
 * and the results arrive on the follower's context. The map is guarded by the store's monitor (each access is a map
 * operation or two, shorter than a hand-over to another context would be), and an {@link EventStatus} is immutable:
 * a result replaces it with a copy, so a reader never sees a list being appended to.
 */
public final class EventStatusStore {

    /** What is known of one event; {@code results} is an immutable copy. */
    public record EventStatus(String eventId, String type, String receiverId, String target, Instant acceptedAt,
            List<ActionResult> results) {

        public EventStatus {
            results = List.copyOf(results);
        }

        EventStatus with(ActionResult result) {
            List<ActionResult> all = new ArrayList<>(results.size() + 1);
            all.addAll(results);
            all.add(result);
            return new EventStatus(eventId, type, receiverId, target, acceptedAt, all);
        }
    }

    private final Map<String, EventStatus> events;
    private final EventCodec codec = new EventCodec();
    private final TopicFollower follower;

    public EventStatusStore(Vertx vertx, KafkaClientSettings kafka, int capacity) {
        this.events = new LinkedHashMap<>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EventStatus> eldest) {
                return size() > capacity;
            }
        };
        this.follower = new TopicFollower(vertx, kafka, List.of(Topics.RESULTS), TopicFollower.From.END,
                Map.of(), this::apply);
    }

    public Future<Void> start() {
        return follower.start();
    }

    public Future<Void> stop() {
        return follower.stop();
    }

    /** Records an event this replica just had acknowledged by Kafka. */
    public void accepted(Event<?> event) {
        accepted(event, event.key());
    }

    /** As {@link #accepted(Event)}, with the event's key already at hand. */
    public void accepted(Event<?> event, String key) {
        EventStatus status = new EventStatus(event.id(), event.type().type(), receiverOf(event), key, event.time(),
                List.of());
        synchronized (this) {
            events.putIfAbsent(event.id(), status);
        }
    }

    public synchronized Optional<EventStatus> find(String eventId) {
        return Optional.ofNullable(events.get(eventId));
    }

    /**
     * Records an event another replica accepted (found by an {@link AcceptedEventSearch}); results already known
     * for it are kept. Returns what is now known.
     */
    public synchronized EventStatus remember(EventStatus accepted) {
        EventStatus known = events.get(accepted.eventId());
        if (known == null) {
            events.put(accepted.eventId(), accepted);
            return accepted;
        }
        if (known.acceptedAt() != null) {
            return known;
        }
        EventStatus merged = new EventStatus(accepted.eventId(), accepted.type(), accepted.receiverId(),
                accepted.target(), accepted.acceptedAt(), known.results());
        events.put(accepted.eventId(), merged);
        return merged;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        Event<?> event;
        try {
            event = codec.fromRecord(record);
        } catch (EventDecodingException e) {
            return;
        }
        if (event.data() instanceof ActionResult result) {
            synchronized (this) {
                EventStatus known = events.get(result.causeId());
                events.put(result.causeId(), known != null ? known.with(result) : new EventStatus(result.causeId(),
                        result.causeType(), result.receiverId(), result.target(), null, List.of(result)));
            }
        }
    }

    /**
     * An event as accepted, from its record on a command topic: everything the status needs is in its CloudEvent
     * headers (id, type, source naming the receiver, subject, time), so the data is not decoded.
     */
    static EventStatus acceptedFrom(ConsumerRecord<String, byte[]> record) {
        String id = header(record, "ce_id");
        String source = header(record, "ce_source");
        String receiver = source != null && source.startsWith(Receiver.SOURCE_PREFIX)
                ? source.substring(Receiver.SOURCE_PREFIX.length()) : null;
        String time = header(record, "ce_time");
        Instant accepted;
        try {
            accepted = time == null ? null : OffsetDateTime.parse(time).toInstant();
        } catch (DateTimeParseException e) {
            accepted = null;
        }
        return new EventStatus(id, header(record, "ce_type"), receiver, header(record, "ce_subject"), accepted,
                List.of());
    }

    static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String receiverOf(Event<?> event) {
        if (event.data() instanceof dev.winch.common.event.ImagePushed e) {
            return e.receiverId();
        }
        if (event.data() instanceof dev.winch.common.event.ServiceScaleRequested e) {
            return e.receiverId();
        }
        if (event.data() instanceof dev.winch.common.event.HostScaleRequested e) {
            return e.receiverId();
        }
        return null;
    }
}
