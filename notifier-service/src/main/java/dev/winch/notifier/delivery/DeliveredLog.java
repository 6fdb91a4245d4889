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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
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
 * <p>The same topic keeps what a channel holds back to deliver later (an aggregated repeat of a Kubernetes event,
 * see {@link NotificationSource#admit}): one record per held message, key {@code channel|fold|key|due}, value the
 * event's record and where it was read; a tombstone once it is delivered or dead-lettered. It is written before the
 * held event's offset is committed, so a crash while it waits loses nothing: every replica reads it back, and the
 * one whose consumer owns the event's partition delivers it when it is due.
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

    /**
     * A message held back until {@code due} (epoch milliseconds): the event's record (CloudEvent headers and data as
     * the codec writes them) and where it was read.
     */
    public record Fold(String channel, String key, long due, String topic, String topicId, int partition,
            long offset, Map<String, String> headers, String value) {
        public Fold {
            headers = Map.copyOf(headers);
        }

        String recordKey() {
            return channel + FOLD + key + "|" + due;
        }

        public RecordPosition position() {
            return new RecordPosition(topic, topicId, partition, offset);
        }
    }

    private static final String FOLD = "|fold|";

    private final Map<String, Fold> folds = new HashMap<>();
    /** Folds released here whose tombstone the follower has not read back yet (their earlier record may come). */
    private final Set<String> released = new HashSet<>();
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

    /** Whether {@code channel} delivered (or dead-lettered) the message {@code id} lately, whatever its offset. */
    public synchronized boolean delivered(String channel, String id) {
        LinkedHashSet<String> ids = recent.get(channel);
        return ids != null && ids.contains(id);
    }

    /** Keeps a held message; completes once Kafka has it. A fold of the same key and due is replaced. */
    public Future<Void> hold(Fold fold) {
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(fold);
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        return publisher.send(new ProducerRecord<>(Topics.NOTIFICATIONS_DELIVERED, fold.recordKey(), value))
                .map(metadata -> {
                    synchronized (this) {
                        folds.put(fold.recordKey(), fold);
                    }
                    return null;
                });
    }

    /** Forgets a held message (delivered or dead-lettered); completes once Kafka has the tombstone. */
    public Future<Void> release(Fold fold) {
        synchronized (this) {
            folds.remove(fold.recordKey());
            released.add(fold.recordKey());
        }
        return publisher.send(new ProducerRecord<>(Topics.NOTIFICATIONS_DELIVERED, fold.recordKey(), (byte[]) null))
                .mapEmpty();
    }

    /** The messages {@code channel} holds, soonest due first. */
    public synchronized List<Fold> folds(String channel) {
        List<Fold> found = new ArrayList<>();
        for (Fold fold : folds.values()) {
            if (fold.channel().equals(channel)) {
                found.add(fold);
            }
        }
        found.sort(Comparator.comparingLong(Fold::due));
        return found;
    }

    /** The message {@code channel} holds under {@code key} (the latest due, if several). */
    public synchronized Optional<Fold> fold(String channel, String key) {
        return folds.values().stream().filter(f -> f.channel().equals(channel) && f.key().equals(key))
                .max(Comparator.comparingLong(Fold::due));
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
        if (record.key() != null && record.key().contains(FOLD)) {
            applyFold(record);
            return;
        }
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

    private synchronized void applyFold(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            folds.remove(record.key());
            released.remove(record.key());
            return;
        }
        if (released.contains(record.key())) {
            return;
        }
        try {
            folds.put(record.key(), JSON.readValue(record.value(), Fold.class));
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable held message '{}' at offset {}: {}", record.key(), record.offset(),
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
