package dev.winch.notifier.events.watch;

import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.KubeEventObserved;
import dev.winch.common.kafka.KafkaSettings;
import dev.winch.notifier.events.watch.PublishedLedger.Published;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads back what is on the events topic: every partition from {@code readBack} ago (and at least its last record)
 * up to its end as of now. Blocking: run on the worker pool.
 */
final class TopicTail {

    private static final Logger LOG = LoggerFactory.getLogger(TopicTail.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private TopicTail() {
    }

    /**
     * @param watchKey which watch an event belongs to (the whole cluster, or its namespace)
     * @param timeout  the most the read may take
     */
    static List<Published> read(String bootstrapServers, String topic, Duration readBack, Clock clock,
            EventCodec codec, Function<KubeEventObserved, String> watchKey, Duration timeout) {
        Map<String, Object> config = KafkaSettings.reader(bootstrapServers);
        List<Published> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> since = new HashMap<>();
            long from = clock.millis() - readBack.toMillis();
            partitions.forEach(partition -> since.put(partition, from));
            Map<TopicPartition, OffsetAndTimestamp> byTime = consumer.offsetsForTimes(since, timeout);
            consumer.assign(partitions);
            Map<TopicPartition, Long> remaining = new HashMap<>();
            for (TopicPartition partition : partitions) {
                long last = end.get(partition);
                OffsetAndTimestamp at = byTime.get(partition);
                long start = at == null ? last : at.offset();
                // At least the last record: a watch that was quiet longer than readBack still has a resume point.
                start = Math.max(begin.get(partition), Math.min(start, last - 1));
                if (start < last) {
                    consumer.seek(partition, start);
                    remaining.put(partition, last);
                }
            }
            consumer.assign(remaining.keySet());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!remaining.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " back within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    Long last = remaining.get(partition);
                    if (last == null || record.offset() >= last) {
                        continue;
                    }
                    decode(codec, record, watchKey).ifPresent(found::add);
                }
                remaining.keySet().removeIf(partition -> consumer.position(partition) >= remaining.get(partition));
                consumer.pause(consumer.assignment().stream().filter(p -> !remaining.containsKey(p)).toList());
            }
        }
        return found;
    }

    private static java.util.Optional<Published> decode(EventCodec codec, ConsumerRecord<String, byte[]> record,
            Function<KubeEventObserved, String> watchKey) {
        try {
            KubeEventObserved event = codec.fromRecord(record).dataAs(KubeEventObserved.class);
            OptionalLong version = ResourceVersions.parse(event.resourceVersion());
            if (version.isEmpty() || event.uid() == null) {
                return java.util.Optional.empty();
            }
            Header through = record.headers().lastHeader(EventsWatch.ACKNOWLEDGED_THROUGH);
            long resumeFrom = through == null ? version.getAsLong() : Math.min(version.getAsLong(),
                    ResourceVersions.parse(new String(through.value(), StandardCharsets.US_ASCII)).orElse(-1));
            return java.util.Optional.of(new Published(watchKey.apply(event), event.uid(), version.getAsLong(),
                    resumeFrom));
        } catch (EventDecodingException | RuntimeException e) {
            LOG.warn("Skipping a record of {} at {}/{} that is not a Kubernetes event: {}", record.topic(),
                    record.partition(), record.offset(), e.toString());
            return java.util.Optional.empty();
        }
    }
}
