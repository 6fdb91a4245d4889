package dev.winch.gateway.status;

import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.TopicFollower;
import dev.winch.gateway.receiver.Receiver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What became of the events this gateway accepted: accepted, then the worker's results. Each replica keeps the
 * last {@code capacity} events in memory: those it accepted itself, those it found with an
 * {@link AcceptedEventSearch} when asked, and every event a worker reported on in {@code winch.results}, which it
 * follows from the moment it starts.
 *
 * <p>Thread-safe: every HTTP server instance records what it accepted and asks for statuses from its own event loop,
 * and the results arrive on the follower's context. The maps are guarded by the store's monitor (each access is a
 * map operation or two, shorter than a hand-over to another context would be), and an {@link EventStatus} is
 * immutable: a result replaces it with a copy, so a reader never sees a list being appended to. A change listener is
 * called on the context it was registered from.
 */
public final class EventStatusStore {

    /**
     * What is known of one event.
     *
     * @param request what the trigger request looked like, when this replica accepted it; else null
     */
    public record EventStatus(String eventId, String type, String receiverId, String target, Instant acceptedAt,
            List<ActionResult> results, RequestInfo request) {

        public EventStatus {
            results = List.copyOf(results);
        }

        public EventStatus(String eventId, String type, String receiverId, String target, Instant acceptedAt,
                List<ActionResult> results) {
            this(eventId, type, receiverId, target, acceptedAt, results, null);
        }

        /** Whether this replica accepted the event itself (rather than finding it, or only its results). */
        public boolean acceptedHere() {
            return request != null;
        }

        /**
         * What became of the event: the newest result's outcome, in lower case, or {@code accepted} while there is
         * none. A redelivery reported as a duplicate does not change it, unless duplicates are all there is.
         */
        public String state() {
            return decisive().map(r -> r.outcome().name().toLowerCase(Locale.ROOT)).orElse("accepted");
        }

        /** The result {@link #state()} is taken from. */
        public Optional<ActionResult> decisive() {
            ActionResult last = null;
            ActionResult lastDuplicate = null;
            for (ActionResult result : results) {
                if (result.outcome() == Outcome.DUPLICATE) {
                    lastDuplicate = result;
                } else {
                    last = result;
                }
            }
            return Optional.ofNullable(last != null ? last : lastDuplicate);
        }

        /** The newest result of any kind. */
        public Optional<ActionResult> newest() {
            return results.isEmpty() ? Optional.empty() : Optional.of(results.get(results.size() - 1));
        }

        EventStatus with(ActionResult result) {
            List<ActionResult> all = new ArrayList<>(results.size() + 1);
            all.addAll(results);
            all.add(result);
            return new EventStatus(eventId, type, receiverId, target, acceptedAt, all, request);
        }
    }

    /**
     * The trigger request an event came from, as far as it is safe to show: never a token, a signature or the
     * body.
     *
     * @param authMethod how the sender was admitted (see {@code Authenticator.method})
     */
    public record RequestInfo(String remoteAddress, String userAgent, String contentType, long contentLength,
            String authMethod) {
    }

    /** Which events {@link #newest} lists; a null field matches everything. */
    public record Filter(String receiverId, String state, String target) {

        boolean matches(EventStatus event) {
            return (receiverId == null || receiverId.equals(event.receiverId()))
                    && (target == null || target.equals(event.target()))
                    && (state == null || state.equals(event.state()));
        }
    }

    private final Map<String, EventStatus> events;
    /** The newest event each receiver had accepted here, by receiver id. */
    private final Map<String, String> lastByReceiver = new HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final EventCodec codec = new EventCodec();
    private final TopicFollower follower;

    public EventStatusStore(Vertx vertx, KafkaClientSettings kafka, int capacity) {
        this.events = new LinkedHashMap<>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EventStatus> eldest) {
                boolean full = size() > capacity;
                if (full && eldest.getValue().receiverId() != null) {
                    lastByReceiver.remove(eldest.getValue().receiverId(), eldest.getKey());
                }
                return full;
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
        accepted(event, event.key(), null);
    }

    /**
     * As {@link #accepted(Event)}, with the event's key already at hand and what the request looked like. A
     * redelivered request (the same event id) keeps what is known of the first one.
     */
    public void accepted(Event<?> event, String key, RequestInfo request) {
        String receiver = receiverOf(event);
        EventStatus status;
        synchronized (this) {
            EventStatus known = events.get(event.id());
            if (known != null && known.acceptedHere()) {
                return;
            }
            status = new EventStatus(event.id(), event.type().type(), receiver, key, event.time(),
                    known == null ? List.of() : known.results(),
                    request == null ? new RequestInfo(null, null, null, -1, null) : request);
            if (known != null) {
                // Re-inserted so that it counts as the newest: its results arrived before it was accepted here.
                events.remove(event.id());
            }
            events.put(event.id(), status);
            if (receiver != null) {
                lastByReceiver.put(receiver, event.id());
            }
        }
        changed(status);
    }

    /**
     * The newest events this replica accepted itself that match {@code filter}, newest first, at most
     * {@code limit} of them.
     */
    public List<EventStatus> newest(Filter filter, int limit) {
        List<EventStatus> all;
        synchronized (this) {
            all = new ArrayList<>(events.values());
        }
        List<EventStatus> found = new ArrayList<>(Math.min(limit, all.size()));
        for (int i = all.size() - 1; i >= 0 && found.size() < limit; i--) {
            EventStatus event = all.get(i);
            if (event.acceptedHere() && filter.matches(event)) {
                found.add(event);
            }
        }
        return found;
    }

    /** The newest event this replica accepted for a receiver, while it is still kept. */
    public synchronized Optional<EventStatus> lastDelivery(String receiverId) {
        return Optional.ofNullable(lastByReceiver.get(receiverId)).map(events::get);
    }

    /**
     * Calls {@code listener} with an event each time this replica accepts one or a result changes one it
     * accepted, on the Vert.x context it is registered from (directly, when registered outside one); returns what
     * removes it again.
     */
    public Runnable onChange(Consumer<EventStatus> listener) {
        Listener registered = new Listener(Vertx.currentContext(), listener);
        listeners.add(registered);
        return () -> listeners.remove(registered);
    }

    /** How many listeners {@link #onChange} has (for tests: a closed stream must not leave one behind). */
    public int listeners() {
        return listeners.size();
    }

    private void changed(EventStatus status) {
        for (Listener listener : listeners) {
            if (listener.context() == null || listener.context() == Vertx.currentContext()) {
                listener.callback().accept(status);
            } else {
                // An event accepted on another instance's event loop: the listener's response lives on its own.
                listener.context().runOnContext(v -> listener.callback().accept(status));
            }
        }
    }

    private record Listener(Context context, Consumer<EventStatus> callback) {
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
        if (known.acceptedAt() != null || known.acceptedHere()) {
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
            EventStatus status;
            synchronized (this) {
                EventStatus known = events.get(result.causeId());
                status = known != null ? known.with(result) : new EventStatus(result.causeId(), result.causeType(),
                        result.receiverId(), result.target(), null, List.of(result));
                events.put(result.causeId(), status);
            }
            if (status.acceptedHere()) {
                changed(status);
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
