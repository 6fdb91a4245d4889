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
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receivers managed through the admin API live in the compacted topic {@code winch.receivers} (key = id, value =
 * the spec as JSON, tombstone = deleted). Every gateway replica reads the whole topic at start and follows it,
 * so a receiver written through one replica triggers through any other as soon as that one reads it.
 */
public final class ReceiverStore {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverStore.class);
    private static final ObjectMapper JSON = EventCodec.mapper();

    private final ReceiverRegistry registry;
    private final EventPublisher publisher;
    private final TopicFollower follower;

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
                    registry.put(spec);
                    return spec;
                });
    }

    /** Deletes a receiver with a tombstone; completes when the broker acknowledged it. */
    public Future<Void> delete(String id) {
        return publisher.send(new ProducerRecord<>(Topics.RECEIVERS, id, null))
                .map(metadata -> {
                    registry.remove(id);
                    return null;
                });
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
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
