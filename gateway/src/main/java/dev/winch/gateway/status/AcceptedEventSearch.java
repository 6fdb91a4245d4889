package dev.winch.gateway.status;

import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.common.event.Topics;
import dev.winch.gateway.status.EventStatusStore.EventStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Finds an event another replica accepted by reading the newest records of the command topics, on demand.
 *
 * <p>Following the command topics all the time would cost every replica a read of every event the whole gateway
 * accepts (and, with N replicas, the broker N reads per write): about a fifth of a replica's throughput on a
 * small machine. Delivery status lookups are rare and made by people, so a replica that does not know an id
 * reads, for each partition, its newest records (at most {@code depth} per topic, spread over its partitions),
 * looking only at the {@code ce_id} header, on a worker thread of its own, one search at a time.
 */
public final class AcceptedEventSearch {

    static final List<String> COMMAND_TOPICS = List.of(Topics.IMAGE_PUSHED, Topics.SERVICE_SCALE, Topics.HOST_SCALE);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(200);

    private final WorkerExecutor worker;
    private final KafkaClientSettings kafka;
    private final int depth;

    /**
     * @param depth how many of the newest records of each command topic are searched: the number of events whose
     *              status a replica keeps, so a replica finds what its own memory would have held
     */
    public AcceptedEventSearch(Vertx vertx, KafkaClientSettings kafka, int depth) {
        // One search at a time: each reads up to `depth` records per topic.
        this.worker = vertx.createSharedWorkerExecutor("winch-event-search", 1);
        this.kafka = kafka;
        this.depth = depth;
    }

    /**
     * The event with this CloudEvent id among the newest records of the command topics, as accepted; completes on
     * the caller's context. Fails when Kafka cannot be read.
     */
    public Future<Optional<EventStatus>> find(String eventId) {
        return worker.executeBlocking(() -> search(eventId), false);
    }

    public Future<Void> close() {
        return worker.close();
    }

    private Optional<EventStatus> search(String eventId) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config())) {
            List<TopicPartition> partitions = new ArrayList<>();
            Map<String, Integer> partitionsPerTopic = new HashMap<>();
            for (String topic : COMMAND_TOPICS) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
                infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
                partitionsPerTopic.put(topic, Math.max(1, infos.size()));
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
            List<TopicPartition> remaining = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                long perPartition = Math.max(1, (long) Math.ceil((double) depth
                        / partitionsPerTopic.get(partition.topic())));
                long from = Math.max(begin.get(partition), end.get(partition) - perPartition);
                if (from < end.get(partition)) {
                    consumer.seek(partition, from);
                    remaining.add(partition);
                }
            }
            consumer.pause(partitions.stream().filter(p -> !remaining.contains(p)).toList());
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!remaining.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (eventId.equals(EventStatusStore.header(record, "ce_id"))) {
                        return Optional.of(EventStatusStore.acceptedFrom(record));
                    }
                }
                remaining.removeIf(partition -> {
                    boolean done = consumer.position(partition) >= end.get(partition);
                    if (done) {
                        consumer.pause(List.of(partition));
                    }
                    return done;
                });
            }
            if (!remaining.isEmpty()) {
                // Not read to the end: "not found" would be a guess.
                throw new TimeoutException("the command topics could not be read within " + TIMEOUT.toSeconds() + " s");
            }
            return Optional.empty();
        }
    }

    private Map<String, Object> config() {
        Map<String, Object> config = kafka.reader();
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-event-search");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        return config;
    }
}
