package dev.winch.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.EventCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where {@link EventPublisher} hands records to the producer: on the calling event loop when the producer can take
 * them at once, otherwise on its send thread, in order, until the producer takes them or the wait is over; and how
 * its futures complete. The producer is Kafka's {@link MockProducer}, made to answer like a producer with
 * {@code max.block.ms=0} that has no metadata for a topic; the real producer and broker are in the gateway's
 * outage tests.
 */
class EventPublisherTest {

    private static final String TOPIC = "winch.known";
    private static final String NO_METADATA = "winch.no-metadata";
    private static final String EVENT_LOOP = "vert.x-eventloop-thread";
    private static final String SEND_THREAD = "winch-kafka-send";

    private final Vertx vertx = Vertx.vertx();
    private final Context eventLoop = vertx.getOrCreateContext();
    private final RecordingProducer producer = new RecordingProducer();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private EventPublisher publisher = publisher(Duration.ofSeconds(5));

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void aRecordTheProducerTakesAtOnceIsHandedOverOnTheEventLoop() throws Exception {
        Future<RecordMetadata> sent = sendFromEventLoop(record(TOPIC, "a"));

        producer.awaitTaken(1);
        assertThat(producer.takenBy).singleElement().asString().startsWith(EVENT_LOOP);
        assertThat(viaSendThread()).isZero();
        producer.complete();
        assertThat(sent.await(5, TimeUnit.SECONDS).topic()).isEqualTo(TOPIC);
    }

    @Test
    void aRecordTheProducerWouldHaveToWaitForIsRetriedOnTheSendThreadUntilTaken() throws Exception {
        producer.withoutMetadata(NO_METADATA);

        Future<RecordMetadata> sent = sendFromEventLoop(record(NO_METADATA, "a"));
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.refusedOn(SEND_THREAD) >= 2);
        producer.metadataArrives(NO_METADATA);

        producer.awaitTaken(1);
        assertThat(producer.refusedBy.get(0)).as("tried on the event loop first").startsWith(EVENT_LOOP);
        assertThat(producer.takenBy).containsExactly(SEND_THREAD);
        assertThat(producer.history()).hasSize(1);
        assertThat(viaSendThread()).isEqualTo(1);
        producer.complete();
        sent.await(5, TimeUnit.SECONDS);
    }

    @Test
    void aRecordTheProducerCannotTakeWithinTheWaitFailsWithoutBeingBuffered() throws Exception {
        publisher = publisher(Duration.ofMillis(100));
        producer.withoutMetadata(NO_METADATA);

        Future<RecordMetadata> sent = sendFromEventLoop(record(NO_METADATA, "a"));

        assertThatThrownBy(() -> sent.await(5, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("within 100 ms").hasMessageContaining(NO_METADATA);
        assertThat(producer.history()).isEmpty();
        assertThat(registry.counter("winch_kafka_records_send_failed_total").count()).isEqualTo(1);
    }

    @Test
    void whileARecordWaitsForTheSendThreadTheNextOnesQueueBehindItInOrder() throws Exception {
        producer.withoutMetadata(NO_METADATA);

        sendFromEventLoop(record(NO_METADATA, "waiting"));
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.refusedOn(SEND_THREAD) >= 1);
        sendFromEventLoop(record(TOPIC, "after-1"));
        sendFromEventLoop(record(TOPIC, "after-2"));
        producer.metadataArrives(NO_METADATA);

        producer.awaitTaken(3);
        assertThat(producer.history().stream().map(ProducerRecord::key).toList())
                .containsExactly("waiting", "after-1", "after-2");
        assertThat(producer.takenBy).containsOnly(SEND_THREAD);
    }

    @Test
    void aCallerThatIsNotAnEventLoopIsServedByTheSendThread() throws Exception {
        Future<RecordMetadata> sent = publisher.send(record(TOPIC, "from-test-thread"));

        producer.awaitTaken(1);
        assertThat(producer.takenBy).containsExactly(SEND_THREAD);
        producer.complete();
        sent.await(5, TimeUnit.SECONDS);
    }

    @Test
    void theFutureCompletesOnTheCallersContext() throws Exception {
        CompletableFuture<Context> completedOn = new CompletableFuture<>();
        eventLoop.runOnContext(v -> publisher.send(record(TOPIC, "b"))
                .onComplete(ar -> completedOn.complete(Vertx.currentContext())));
        producer.awaitTaken(1);

        producer.complete();

        assertThat(completedOn.get(5, TimeUnit.SECONDS)).isSameAs(eventLoop);
    }

    @Test
    void aBrokerErrorFailsTheFutureAndIsCounted() throws Exception {
        Future<RecordMetadata> sent = sendFromEventLoop(record(TOPIC, "a"));
        producer.awaitTaken(1);

        // Later, from the producer's own thread: a delivery timeout is a failure, not a reason to try again.
        producer.fail(new TimeoutException("Expiring 1 record(s)"));

        assertThatThrownBy(() -> sent.await(5, TimeUnit.SECONDS)).hasMessageContaining("Expiring 1 record(s)");
        assertThat(producer.history()).hasSize(1);
        assertThat(registry.counter("winch_kafka_records_send_failed_total").count()).isEqualTo(1);
        assertThat(registry.counter("winch_kafka_records_sent_total").count()).isZero();
    }

    @Test
    void anExceptionThrownBySendFailsTheFuture() throws Exception {
        producer.sendException = new KafkaException("serialization failed");

        Future<RecordMetadata> sent = sendFromEventLoop(record(TOPIC, "b"));

        assertThatThrownBy(() -> sent.await(5, TimeUnit.SECONDS)).hasMessageContaining("serialization failed");
        assertThat(registry.counter("winch_kafka_records_send_failed_total").count()).isEqualTo(1);
    }

    @Test
    void aClosedPublisherRefusesRecordsWithAClearError() throws Exception {
        publisher.close().await(10, TimeUnit.SECONDS);

        Future<RecordMetadata> sent = publisher.send(record(TOPIC, "late"));

        assertThatThrownBy(() -> sent.await(5, TimeUnit.SECONDS)).hasMessage("the Kafka publisher is closed");
        assertThat(producer.closed()).isTrue();
    }

    // ------------------------------------------------------------------ helpers

    private EventPublisher publisher(Duration maxWait) {
        return new EventPublisher(vertx, producer, maxWait, new EventCodec(), registry);
    }

    private Future<RecordMetadata> sendFromEventLoop(ProducerRecord<String, byte[]> record) throws Exception {
        CompletableFuture<Future<RecordMetadata>> future = new CompletableFuture<>();
        eventLoop.runOnContext(v -> future.complete(publisher.send(record)));
        return future.get(5, TimeUnit.SECONDS);
    }

    private double viaSendThread() {
        return registry.counter("winch_kafka_records_via_send_thread_total").count();
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key) {
        return new ProducerRecord<>(topic, key, key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A MockProducer, completed by hand, that notes which thread each record was taken or refused on. For a topic
     * "without metadata" it answers as a producer with {@code max.block.ms=0}: the callback gets a
     * TimeoutException before {@code send} returns, and nothing is buffered.
     */
    private static final class RecordingProducer extends MockProducer<String, byte[]> {

        final List<String> takenBy = new CopyOnWriteArrayList<>();
        final List<String> refusedBy = new CopyOnWriteArrayList<>();
        private final Set<String> withoutMetadata = ConcurrentHashMap.newKeySet();

        RecordingProducer() {
            super(false, null, new StringSerializer(), new ByteArraySerializer());
        }

        void withoutMetadata(String topic) {
            withoutMetadata.add(topic);
        }

        void metadataArrives(String topic) {
            withoutMetadata.remove(topic);
        }

        long refusedOn(String thread) {
            return refusedBy.stream().filter(name -> name.startsWith(thread)).count();
        }

        @Override
        public java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<String, byte[]> record,
                Callback callback) {
            String thread = Thread.currentThread().getName();
            if (withoutMetadata.contains(record.topic())) {
                TimeoutException error = new TimeoutException("Topic " + record.topic()
                        + " not present in metadata after 0 ms.");
                callback.onCompletion(null, error);
                refusedBy.add(thread);
                return CompletableFuture.failedFuture(error);
            }
            java.util.concurrent.Future<RecordMetadata> result = super.send(record, callback);
            takenBy.add(thread);
            return result;
        }

        void awaitTaken(int count) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(
                    () -> assertThat(takenBy).as("records taken by the producer").hasSizeGreaterThanOrEqualTo(count));
        }

        void complete() {
            assertThat(completeNext()).as("a send was waiting").isTrue();
        }

        void fail(RuntimeException error) {
            assertThat(errorNext(error)).as("a send was waiting").isTrue();
        }
    }
}
