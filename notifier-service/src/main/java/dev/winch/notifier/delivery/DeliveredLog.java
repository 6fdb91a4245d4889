package dev.winch.notifier.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.EventPublisher;
import dev.winch.common.kafka.RecordPosition;
import dev.winch.common.kafka.TopicFollower;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Iterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each channel has been given, so a redelivered result is not sent to a channel again (idempotency key:
 * result id + channel). Kept in the compacted topic {@code winch.notifications.delivered}: after each message is
 * delivered or dead-lettered, and before its offset is committed, one record keyed
 * {@code channel|topic/partition@topicId} says the highest offset of that partition the channel is done with, and
 * the result ids of that message. Every notifier replica reads the whole topic at start and follows it.
 *
 * <p>A result is done for a channel when its offset is at or below the channel's mark for its partition (a
 * redelivery after a crash between the delivery and the commit: the channel's records of a partition are handled in
 * offset order, so one number per partition covers them all, however many results), or when its id is among the
 * channel's recent ids (the same result written twice at another offset). Compaction keeps one record per channel
 * and partition, so the topic stays as small as the number of channels times partitions.
 *
 * <p>Thread-safe: the follower and each channel's consumer run on contexts of their own.
 */
public final class DeliveredLog {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveredLog.class);
    private static final ObjectMapper JSON = EventCodec.mapper();

    /** One mark: the channel is done with {@code partition} up to {@code offset}. */
    public record Mark(String channel, String partition, long offset, List<String> resultIds) {
        public Mark {
            resultIds = List.copyOf(resultIds);
        }

        String key() {
            return channel + "|" + partition;
        }
    }

    private final int recentIds;
    private final Map<String, Long> offsets = new HashMap<>();
    private final Map<String, LinkedHashSet<String>> recent = new HashMap<>();
    private final EventPublisher publisher;
    private final TopicFollower follower;

    /** @param recentIds how many delivered result ids to remember per channel */
    public DeliveredLog(Vertx vertx, KafkaClientSettings kafka, EventPublisher publisher, int recentIds) {
        this.publisher = publisher;
        this.recentIds = recentIds;
        this.follower = new TopicFollower(vertx, kafka, List.of(Topics.NOTIFICATIONS_DELIVERED),
                TopicFollower.From.BEGINNING, this::apply);
    }

    /** Completes once every mark written before the start has been read. Call before the channels consume. */
    public Future<Void> start() {
        return follower.start();
    }

    public Future<Void> stop() {
        return follower.stop();
    }

    /** Whether {@code channel} is done with the result {@code resultId} read at {@code position}. */
    public synchronized boolean done(String channel, RecordPosition position, String resultId) {
        Long mark = offsets.get(channel + "|" + position.partitionEntry());
        if (mark != null && position.offset() <= mark) {
            return true;
        }
        LinkedHashSet<String> ids = recent.get(channel);
        return ids != null && ids.contains(resultId);
    }

    /** Records that {@code channel} is done with everything up to {@code last}; completes once Kafka has it. */
    public Future<Void> record(String channel, RecordPosition last, List<String> resultIds) {
        Mark mark = new Mark(channel, last.partitionEntry(), last.offset(), resultIds);
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(mark);
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        return publisher.send(new ProducerRecord<>(Topics.NOTIFICATIONS_DELIVERED, mark.key(), value))
                .map(metadata -> {
                    remember(mark);
                    return null;
                });
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            remember(JSON.readValue(record.value(), Mark.class));
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable delivery mark '{}' at offset {}: {}", record.key(), record.offset(),
                    e.getMessage());
        }
    }

    private synchronized void remember(Mark mark) {
        offsets.merge(mark.key(), mark.offset(), Math::max);
        LinkedHashSet<String> ids = recent.computeIfAbsent(mark.channel(), c -> new LinkedHashSet<>());
        for (String id : mark.resultIds()) {
            ids.remove(id);
            ids.add(id);
        }
        Iterator<String> oldest = ids.iterator();
        while (ids.size() > recentIds) {
            oldest.next();
            oldest.remove();
        }
    }
}
