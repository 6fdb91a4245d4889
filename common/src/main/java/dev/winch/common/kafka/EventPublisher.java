package dev.winch.common.kafka;

import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.kafka.client.producer.RecordMetadata;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Writes records to Kafka and completes only when the broker acknowledged them (acks=all, idempotent producer).
 * A failed future means the record may not be stored: the caller must not acknowledge it.
 */
public final class EventPublisher {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventPublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final EventCodec codec;
    private final Counter sent;
    private final Counter failed;

    public EventPublisher(Vertx vertx, Map<String, String> producerConfig, EventCodec codec, MeterRegistry registry) {
        this.producer = KafkaProducer.create(vertx, producerConfig);
        // Every failed send also fails its own future, where the caller handles it; this only keeps the
        // producer from logging each one again as "unhandled".
        this.producer.exceptionHandler(error -> LOG.debug("Kafka producer: {}", error.toString()));
        this.codec = codec;
        this.sent = Counter.builder("winch_kafka_records_sent_total").register(registry);
        this.failed = Counter.builder("winch_kafka_records_send_failed_total").register(registry);
    }

    /** Publishes an event to its type's topic, keyed by its partition key. */
    public Future<RecordMetadata> publish(Event<?> event) {
        return send(codec.toRecord(event));
    }

    /** Publishes an already encoded record (dead letters, receivers). */
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        KafkaProducerRecord<String, byte[]> out =
                KafkaProducerRecord.create(record.topic(), record.key(), record.value(), record.partition());
        for (Header header : record.headers()) {
            out.addHeader(header.key(), Buffer.buffer(header.value() == null ? new byte[0] : header.value()));
        }
        return producer.send(out)
                .onSuccess(metadata -> sent.increment())
                .onFailure(error -> failed.increment());
    }

    public Future<Void> close() {
        return producer.close();
    }
}
