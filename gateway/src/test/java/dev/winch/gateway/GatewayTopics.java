package dev.winch.gateway;

import dev.winch.common.event.Topics;
import dev.winch.testkit.KafkaBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** The topics a gateway reads and writes, as the deployment creates them: receivers compacted. */
public final class GatewayTopics {

    public static final List<String> COMMANDS = List.of(Topics.SERVICE_SCALE, Topics.HOST_SCALE, Topics.IMAGE_PUSHED);

    private GatewayTopics() {
    }

    /** Creates them (existing ones are kept) and returns once every partition has a leader. */
    public static void create(KafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.adminProps())) {
            NewTopic receivers = new NewTopic(Topics.RECEIVERS, 1, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                admin.createTopics(List.of(receivers)).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        broker.createTopic(Topics.RECEIVERS, 1);
        for (String topic : COMMANDS) {
            broker.createTopic(topic, 3);
        }
        broker.createTopic(Topics.RESULTS, 3);
    }
}
