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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
 * Where {@link EventPublisher} hands records to the producer: on the calling event loop only when that cannot
 * block, otherwise on its send thread, in order; and how its futures complete. The producer is Kafka's
 * {@link MockProducer}, which records which thread called {@code send}; the real broker is in
 * {@code EventConsumerIT} and the gateway's outage tests.
 */
class EventPublisherTest {

    private static final String KNOWN = "winch.known";
    private static final String OTHER = "winch.other";

    private final Vertx vertx = Vertx.vertx();
    private final Context eventLoop = vertx.getOrCreateContext();
    private final RecordingProducer producer = new RecordingProducer();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private EventPublisher publisher = new EventPublisher(vertx, producer, 32 * 1024 * 1024, new EventCodec(),
            registry);

    @AfterEach
    void close() throws Exception {
        producer.release.countDown();
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void theFirstRecordToATopicIsHandedOverByTheSendThread() throws Exception {
        Future<RecordMetadata> sent = sendFromEventLoop(record(KNOWN, "a"));

        producer.awaitSends(1);
        assertThat(producer.threads).containsExactly("winch-kafka-send");
        assertThat(viaSendThread()).isEqualTo(1);

        producer.complete();
        assertThat(sent.await(5, TimeUnit.SECONDS).topic()).isEqualTo(KNOWN);
    }

    @Test
    void onceATopicHadARecordAcknowledgedTheNextIsHandedOverOnTheEventLoop() throws Exception {
        acknowledgeOne(KNOWN);

        Future<RecordMetadata> sent = sendFromEventLoop(record(KNOWN, "b"));

        producer.awaitSends(2);
        assertThat(producer.threads.get(1)).startsWith("vert.x-eventloop-thread");
        assertThat(viaSendThread()).isEqualTo(1);
        producer.complete();
        sent.await(5, TimeUnit.SECONDS);
    }

    @Test
    void aTopicWithoutAnAcknowledgedRecordStillGoesThroughTheSendThread() throws Exception {
        acknowledgeOne(KNOWN);

        sendFromEventLoop(record(OTHER, "c"));

        producer.awaitSends(2);
        assertThat(producer.threads.get(1)).isEqualTo("winch-kafka-send");
    }

    @Test
    void aFailedRecordDoesNotMakeItsTopicKnown() throws Exception {
        Future<RecordMetadata> first = sendFromEventLoop(record(KNOWN, "a"));
        producer.awaitSends(1);
        producer.fail(new TimeoutException("no broker"));
        assertThatThrownBy(() -> first.await(5, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);

        sendFromEventLoop(record(KNOWN, "b"));

        producer.awaitSends(2);
        assertThat(producer.threads).containsExactly("winch-kafka-send", "winch-kafka-send");
    }

    @Test
    void whileARecordWaitsForTheSendThreadTheNextOnesQueueBehindItInOrder() throws Exception {
        acknowledgeOne(KNOWN);
        producer.blockOn("slow");

        sendFromEventLoop(record(OTHER, "slow"));
        producer.awaitEntered();
        sendFromEventLoop(record(KNOWN, "after-1"));
        sendFromEventLoop(record(KNOWN, "after-2"));
        producer.release.countDown();

        producer.awaitSends(4);
        assertThat(producer.history().stream().map(ProducerRecord::key).toList())
                .containsExactly("first", "slow", "after-1", "after-2");
        assertThat(producer.threads.subList(1, 4)).containsOnly("winch-kafka-send");
    }

    @Test
    void aRecordThatWouldFillHalfTheProducersBufferGoesThroughTheSendThread() throws Exception {
        publisher = new EventPublisher(vertx, producer, 2_000, new EventCodec(), registry);
        acknowledgeOne(KNOWN);

        sendFromEventLoop(new ProducerRecord<>(KNOWN, "big", new byte[1_500]));

        producer.awaitSends(2);
        assertThat(producer.threads.get(1)).isEqualTo("winch-kafka-send");
    }

    @Test
    void aCallerThatIsNotAnEventLoopIsServedByTheSendThread() throws Exception {
        acknowledgeOne(KNOWN);

        Future<RecordMetadata> sent = publisher.send(record(KNOWN, "from-test-thread"));

        producer.awaitSends(2);
        assertThat(producer.threads.get(1)).isEqualTo("winch-kafka-send");
        producer.complete();
        sent.await(5, TimeUnit.SECONDS);
    }

    @Test
    void theFutureCompletesOnTheCallersContext() throws Exception {
        acknowledgeOne(KNOWN);
        CompletableFuture<Context> completedOn = new CompletableFuture<>();
        eventLoop.runOnContext(v -> publisher.send(record(KNOWN, "b"))
                .onComplete(ar -> completedOn.complete(Vertx.currentContext())));
        producer.awaitSends(2);

        producer.complete();

        assertThat(completedOn.get(5, TimeUnit.SECONDS)).isSameAs(eventLoop);
    }

    @Test
    void aBrokerErrorFailsTheFutureAndIsCounted() throws Exception {
        Future<RecordMetadata> sent = sendFromEventLoop(record(KNOWN, "a"));
        producer.awaitSends(1);

        producer.fail(new TimeoutException("Expiring 1 record(s)"));

        assertThatThrownBy(() -> sent.await(5, TimeUnit.SECONDS)).hasMessageContaining("Expiring 1 record(s)");
        assertThat(registry.counter("winch_kafka_records_send_failed_total").count()).isEqualTo(1);
        assertThat(registry.counter("winch_kafka_records_sent_total").count()).isZero();
    }

    @Test
    void anExceptionThrownBySendFailsTheFuture() throws Exception {
        acknowledgeOne(KNOWN);
        producer.sendException = new KafkaException("serialization failed");

        Future<RecordMetadata> sent = sendFromEventLoop(record(KNOWN, "b"));

        assertThatThrownBy(() -> sent.await(5, TimeUnit.SECONDS)).hasMessageContaining("serialization failed");
        assertThat(registry.counter("winch_kafka_records_send_failed_total").count()).isEqualTo(1);
    }

    @Test
    void aClosedPublisherRefusesRecordsWithAClearError() throws Exception {
        publisher.close().await(10, TimeUnit.SECONDS);

        Future<RecordMetadata> sent = publisher.send(record(KNOWN, "late"));

        assertThatThrownBy(() -> sent.await(5, TimeUnit.SECONDS)).hasMessage("the Kafka publisher is closed");
        assertThat(producer.closed()).isTrue();
    }

    // ------------------------------------------------------------------ helpers

    private void acknowledgeOne(String topic) throws Exception {
        int before = producer.threads.size();
        Future<RecordMetadata> sent = sendFromEventLoop(record(topic, "first"));
        producer.awaitSends(before + 1);
        producer.complete();
        sent.await(5, TimeUnit.SECONDS);
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
        return new ProducerRecord<>(topic, key, key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A MockProducer (completed by hand) that notes the thread of each send and can hold one record's send. */
    private static final class RecordingProducer extends MockProducer<String, byte[]> {

        final List<String> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        private final CountDownLatch entered = new CountDownLatch(1);
        private final AtomicReference<String> blockedKey = new AtomicReference<>();

        RecordingProducer() {
            super(false, null, new StringSerializer(), new ByteArraySerializer());
        }

        void blockOn(String key) {
            blockedKey.set(key);
        }

        @Override
        public java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<String, byte[]> record,
                Callback callback) {
            if (record.key().equals(blockedKey.get())) {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            java.util.concurrent.Future<RecordMetadata> result = super.send(record, callback);
            threads.add(Thread.currentThread().getName());
            return result;
        }

        void awaitEntered() throws InterruptedException {
            assertThat(entered.await(5, TimeUnit.SECONDS)).as("the blocked send started").isTrue();
        }

        void awaitSends(int count) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(
                    () -> assertThat(threads).as("sends handed to the producer").hasSizeGreaterThanOrEqualTo(count));
        }

        void complete() {
            assertThat(completeNext()).as("a send was waiting").isTrue();
        }

        void fail(RuntimeException error) {
            assertThat(errorNext(error)).as("a send was waiting").isTrue();
        }
    }
}
