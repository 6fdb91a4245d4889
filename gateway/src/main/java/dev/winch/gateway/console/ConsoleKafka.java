package dev.winch.gateway.console;

import dev.winch.common.kafka.KafkaClientSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka clients behind the console's endpoints (dead letters, redrive, service health), with the gateway's
 * {@code KAFKA_*} settings, and the worker pool every call to them runs on: the admin client and consumers block.
 *
 * <p>The admin client and the producer are made on first use and kept: the console is used by people, rarely, but
 * a page refresh should not cost a new connection to every broker. Consumers are made per request, in assign mode
 * and without a group: they read a few records at offsets they seek to, and must leave no trace on the cluster.
 * Keys and values are bytes throughout, so a redriven record is the very record that was dead-lettered.
 */
public final class ConsoleKafka {

    /** How long one admin or consumer call may take before the endpoint answers 503. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final WorkerExecutor worker;
    private final KafkaClientSettings kafka;
    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;

    public ConsoleKafka(Vertx vertx, KafkaClientSettings kafka) {
        // Two at a time: a health page and a dead-letter page may be open together; more would only queue on the
        // broker's admin requests anyway.
        this.worker = vertx.createSharedWorkerExecutor("winch-console-kafka", 2);
        this.kafka = kafka;
    }

    /** Runs {@code task} on the console's worker pool; completes on the caller's context. */
    public <T> Future<T> call(Callable<T> task) {
        return worker.executeBlocking(task, false);
    }

    /** The shared admin client; only on the worker pool. */
    public synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> config = new HashMap<>(kafka.admin());
            config.put(AdminClientConfig.CLIENT_ID_CONFIG, "gateway-console-admin");
            admin = Admin.create(config);
        }
        return admin;
    }

    /** The shared producer of raw records (acks=all, idempotent); only on the worker pool. */
    public synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>(kafka.producer("gateway-redrive"));
            config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            // Sends run on the worker pool: waiting for metadata there is fine, but no longer than a console call.
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(TIMEOUT.toMillis()));
            producer = new KafkaProducer<>(config);
        }
        return producer;
    }

    /** A new consumer without a group, for assign and seek; the caller closes it. Only on the worker pool. */
    public KafkaConsumer<byte[], byte[]> reader(String clientId) {
        Map<String, Object> config = new HashMap<>(kafka.reader());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT.toMillis()));
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT.toMillis()));
        return new KafkaConsumer<>(config);
    }

    public Future<Void> close() {
        return worker.<Void>executeBlocking(() -> {
            synchronized (this) {
                if (producer != null) {
                    producer.close(Duration.ofSeconds(5));
                }
                if (admin != null) {
                    admin.close(Duration.ofSeconds(5));
                }
            }
            return null;
        }, false).eventually(() -> worker.close());
    }
}
