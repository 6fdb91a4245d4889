package dev.winch.gateway.receiver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.EventPublisher;
import dev.winch.common.kafka.TopicFollower;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receivers managed through the admin API live in the compacted topic {@code winch.receivers} (key = id, value =
 * the spec as JSON, tombstone = deleted). Every gateway replica reads the whole topic at start and follows it,
 * so a receiver written through one replica triggers through any other as soon as that one reads it.
 *
 * <p>The replica that writes serves its write as soon as the broker acknowledged it, before its follower has read
 * that far. Records the follower reads afterwards that are older than this replica's own write of the same id are
 * skipped: otherwise a receiver deleted (or changed) here would come back (or revert) for as long as the follower
 * took to reach the write, after the API had answered 204 (or 200).
 */
public final class ReceiverStore {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverStore.class);
    private static final ObjectMapper JSON = EventCodec.mapper();

    private final ReceiverRegistry registry;
    private final EventPublisher publisher;
    private final TopicFollower follower;
    /** Per id, the offset of this replica's newest write the follower has not reached yet. Guarded by this. */
    private final Map<String, Long> ownWrites = new HashMap<>();
    /** Per id, the offset of the newest record the follower applied. Guarded by this. */
    private final Map<String, Long> followed = new HashMap<>();

    public ReceiverStore(Vertx vertx, KafkaClientSettings kafka, ReceiverRegistry registry, EventPublisher publisher) {
        this.registry = registry;
        this.publisher = publisher;
        this.follower = new TopicFollower(vertx, kafka, List.of(Topics.RECEIVERS),
                TopicFollower.From.BEGINNING, this::apply);
    }

    /** Completes once every receiver written before the start has been read. */
    public Future<Void> start() {
        return follower.start();
    }

    public Future<Void> stop() {
        return follower.stop();
    }

    /** Stores a receiver; completes when the broker acknowledged it (and this replica serves it). */
    public Future<ReceiverSpec> save(ReceiverSpec spec) {
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(spec);
        } catch (JsonProcessingException e) {
            return Future.failedFuture(e);
        }
        return publisher.send(new ProducerRecord<>(Topics.RECEIVERS, spec.id(), value))
                .map(metadata -> {
                    wrote(spec.id(), metadata.offset(), () -> registry.put(spec));
                    return spec;
                });
    }

    /** Deletes a receiver with a tombstone; completes when the broker acknowledged it. */
    public Future<Void> delete(String id) {
        return publisher.send(new ProducerRecord<>(Topics.RECEIVERS, id, null))
                .map(metadata -> {
                    wrote(id, metadata.offset(), () -> registry.remove(id));
                    return null;
                });
    }

    /** Serves this replica's own write at {@code offset} of its id's partition now, ahead of the follower. */
    synchronized void wrote(String id, long offset, Runnable change) {
        Long seen = followed.get(id);
        if (seen != null && seen >= offset) {
            // The follower was quicker than the acknowledgement: it applied this write, or a newer one, already.
            return;
        }
        ownWrites.merge(id, offset, Math::max);
        change.run();
    }

    /** A record the follower read: applied, unless this replica has already served a newer write of its id. */
    synchronized void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        Long own = ownWrites.get(record.key());
        if (own != null) {
            if (record.offset() < own) {
                return;
            }
            // The follower has reached this replica's write: what it reads from here on is current.
            ownWrites.remove(record.key());
        }
        followed.merge(record.key(), record.offset(), Math::max);
        if (record.value() == null) {
            registry.remove(record.key());
            return;
        }
        try {
            ReceiverSpec spec = JSON.readValue(record.value(), ReceiverSpec.class);
            if (!record.key().equals(spec.id())) {
                LOG.warn("Ignoring receiver record at offset {}: key '{}' and id differ", record.offset(), record.key());
                return;
            }
            registry.put(spec);
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable receiver record at offset {}: {}", record.offset(),
                    new String(record.value(), 0, Math.min(80, record.value().length), StandardCharsets.UTF_8));
        }
    }
}
