package dev.winch.common.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The Kafka client settings every Winch service uses; one place, so no service copies them. */
public final class KafkaSettings {

    private KafkaSettings() {
    }

    /**
     * A producer that loses nothing it acknowledged: acks=all, idempotent, and no linger (the gateway answers
     * after the ack, so any linger is added to every request's latency).
     */
    public static Map<String, String> producer(String bootstrapServers, String clientId) {
        Map<String, String> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        // A write the broker cannot take in time fails, so the caller can answer 503 instead of hanging. Sends of
        // one Vert.x producer run one after another while metadata is missing (broker down), so each may block
        // only briefly, or a queue of requests would wait n times the block.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return config;
    }

    /**
     * A consumer that commits only what was processed: no auto-commit, reading from the earliest offset when the
     * group is new. Values stay bytes so a record that is not a CloudEvent reaches the runner (and its dead-letter
     * topic) instead of failing inside {@code poll()}.
     */
    public static Map<String, Object> consumer(String bootstrapServers, String groupId, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return config;
    }

    /**
     * A consumer without a group, for readers that assign partitions and seek themselves (followers of a whole
     * topic, searches): no commits, values as bytes.
     */
    public static Map<String, Object> reader(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return config;
    }

    public static Map<String, String> admin(String bootstrapServers) {
        Map<String, String> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        return config;
    }
}
