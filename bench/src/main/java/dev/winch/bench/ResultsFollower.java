package dev.winch.bench;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code winch.results} from the moment it is started (no consumer group: every partition assigned, from its
 * end), on a thread of its own, and keeps every result by the id of the event it is about, with the time it was
 * read here.
 */
final class ResultsFollower implements AutoCloseable {

    /** A result and when this follower read it. */
    record Seen(ActionResult result, Instant seenAt) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final EventCodec codec = new EventCodec();
    private final Map<String, List<Seen>> byCause = new ConcurrentHashMap<>();
    private final Thread thread;
    private final PrintStream progress;
    private volatile boolean running = true;

    ResultsFollower(String bootstrapServers, PrintStream progress) throws InterruptedException {
        this.progress = progress;
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(config);
        CountDownLatch positioned = new CountDownLatch(1);
        this.thread = new Thread(() -> run(positioned), "bench-results-follower");
        this.thread.setDaemon(true);
        this.thread.start();
        if (!positioned.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not position the results follower within 30 s");
        }
    }

    private void run(CountDownLatch positioned) {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RESULTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // position() resolves the lazy seek now, so nothing published after the constructor returns is missed
            partitions.forEach(consumer::position);
            positioned.countDown();
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    Instant now = Instant.now();
                    try {
                        Event<?> event = codec.fromRecord(record);
                        if (event.data() instanceof ActionResult result) {
                            byCause.computeIfAbsent(result.causeId(), id -> new CopyOnWriteArrayList<>())
                                    .add(new Seen(result, now));
                        }
                    } catch (EventDecodingException e) {
                        progress.println("[bench] undecodable record on " + Topics.RESULTS + ": " + e.getMessage());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The results about event {@code causeId} read so far, in the order read. */
    List<Seen> of(String causeId) {
        return new ArrayList<>(byCause.getOrDefault(causeId, List.of()));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
