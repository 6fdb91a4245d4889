package dev.winch.common.kafka;

import dev.winch.common.event.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates every Winch topic named in {@link Topics} on a single-broker cluster, as the local run and the benchmarks
 * need them: each event topic with its partitions and a one-partition dead-letter topic, {@code winch.receivers} compacted. Topics that
 * exist are kept. (docker-compose and Kubernetes create theirs with Kafka's own tools.)
 */
public final class TopicCreator {

    private TopicCreator() {
    }

    public static void createForSingleBroker(String bootstrapServers, int partitions) throws Exception {
        createForSingleBroker(KafkaClientSettings.plaintext(bootstrapServers), partitions);
    }

    /** As {@link #createForSingleBroker(String, int)}, with a service's Kafka client settings (TLS, SASL, ...). */
    public static void createForSingleBroker(KafkaClientSettings kafka, int partitions) throws Exception {
        try (Admin admin = Admin.create(new HashMap<String, Object>(kafka.admin()))) {
            List<NewTopic> topics = new ArrayList<>();
            topics.add(new NewTopic(Topics.RECEIVERS, 1, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            topics.add(new NewTopic(Topics.NOTIFICATIONS_DELIVERED, 1, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            topics.add(new NewTopic(Topics.NOTIFICATIONS_DLQ, 1, (short) 1));
            for (String topic : Topics.EVENT_TOPICS) {
                topics.add(new NewTopic(topic, partitions, (short) 1));
                topics.add(new NewTopic(Topics.deadLetter(topic), 1, (short) 1));
            }
            try {
                admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }
}
