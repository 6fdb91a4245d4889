package dev.winch.notifier.delivery;

import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.common.event.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at start that the topics delivery writes exist, and that the marks' topic is compacted. Without the check
 * a missing topic shows only as writes failing over and over once a result is routed (or, on a broker that creates
 * topics on first use, as a marks topic that is never compacted and grows with every delivery).
 */
public final class DeliveryTopics {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryTopics.class);
    private static final long TIMEOUT_SECONDS = 30;

    private DeliveryTopics() {
    }

    /**
     * Blocking: call it on the worker pool.
     *
     * @throws IllegalStateException naming a missing topic and how to create it
     */
    public static void check(KafkaClientSettings kafka) throws Exception {
        Map<String, Object> config = Map.copyOf(kafka.admin());
        try (Admin admin = Admin.create(config)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (String topic : List.of(Topics.NOTIFICATIONS_DELIVERED, Topics.NOTIFICATIONS_DLQ)) {
                if (!existing.contains(topic)) {
                    throw new IllegalStateException("Kafka topic " + topic + " does not exist: create it before "
                            + "starting the notifier" + (topic.equals(Topics.NOTIFICATIONS_DELIVERED)
                                    ? " (cleanup.policy=compact)" : ""));
                }
            }
            ConfigResource marks = new ConfigResource(ConfigResource.Type.TOPIC, Topics.NOTIFICATIONS_DELIVERED);
            Config described = admin.describeConfigs(List.of(marks)).all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(marks);
            String policy = described.get(TopicConfig.CLEANUP_POLICY_CONFIG) == null ? ""
                    : described.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                LOG.warn("Kafka topic {} has cleanup.policy={}, not compact: it keeps every delivery mark until "
                        + "retention deletes them, and a mark deleted that way no longer prevents a second message "
                        + "after a redelivery", Topics.NOTIFICATIONS_DELIVERED, policy);
            }
        }
    }
}
