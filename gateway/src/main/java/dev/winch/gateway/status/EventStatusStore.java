package dev.winch.gateway.status;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.TopicFollower;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What became of the events this gateway's replicas accepted: accepted, then the worker's results. Each replica
 * follows the command topics and {@code winch.results} from the moment it starts and keeps the last
 * {@code capacity} events in memory, so any replica can answer for an event any replica accepted since then.
 * Accessed on one Vert.x context only.
 */
public final class EventStatusStore {

    /** What is known of one event. */
    public record EventStatus(String eventId, String type, String receiverId, String target, Instant acceptedAt,
            List<ActionResult> results) {
    }

    private final Map<String, EventStatus> events;
    private final EventCodec codec = new EventCodec();
    private final TopicFollower follower;

    public EventStatusStore(Vertx vertx, String bootstrapServers, int capacity) {
        this.events = new LinkedHashMap<>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EventStatus> eldest) {
                return size() > capacity;
            }
        };
        // Every accepted event comes back through here: fetch in batches rather than once per write.
        this.follower = new TopicFollower(vertx, bootstrapServers,
                List.of(Topics.IMAGE_PUSHED, Topics.SERVICE_SCALE, Topics.HOST_SCALE, Topics.RESULTS),
                TopicFollower.From.END,
                Map.of(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200),
                this::apply);
    }

    public Future<Void> start() {
        return follower.start();
    }

    public Future<Void> stop() {
        return follower.stop();
    }

    /** Records an event this replica just had acknowledged by Kafka. */
    public void accepted(Event<?> event) {
        events.putIfAbsent(event.id(), new EventStatus(event.id(), event.type().type(), receiverOf(event),
                event.key(), event.time(), new ArrayList<>()));
    }

    public Optional<EventStatus> find(String eventId) {
        return Optional.ofNullable(events.get(eventId));
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (!Topics.RESULTS.equals(record.topic())) {
            acceptedElsewhere(record);
            return;
        }
        Event<?> event;
        try {
            event = codec.fromRecord(record);
        } catch (EventDecodingException e) {
            return;
        }
        if (event.data() instanceof ActionResult result) {
            EventStatus status = events.computeIfAbsent(result.causeId(), id -> new EventStatus(id,
                    result.causeType(), result.receiverId(), result.target(), null, new ArrayList<>()));
            status.results().add(result);
        }
    }

    /**
     * An event written by any replica: everything the status needs is in its CloudEvent headers (id, type,
     * source naming the receiver, subject, time), so the data is not decoded; events this replica accepted itself
     * are already known.
     */
    private void acceptedElsewhere(ConsumerRecord<String, byte[]> record) {
        String id = header(record, "ce_id");
        if (id == null || events.containsKey(id)) {
            return;
        }
        String source = header(record, "ce_source");
        String receiver = source != null && source.startsWith(dev.winch.gateway.receiver.Receiver.SOURCE_PREFIX) ? source.substring(dev.winch.gateway.receiver.Receiver.SOURCE_PREFIX.length())
                : null;
        String time = header(record, "ce_time");
        Instant accepted;
        try {
            accepted = time == null ? null : java.time.OffsetDateTime.parse(time).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            accepted = null;
        }
        events.put(id, new EventStatus(id, header(record, "ce_type"), receiver, header(record, "ce_subject"),
                accepted, new ArrayList<>()));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null
                : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
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
