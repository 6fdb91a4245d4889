package dev.winch.common.event;

import java.util.List;

/**
 * The names of every Kafka topic Winch uses, in one place (the local run creates them with
 * {@code dev.winch.common.kafka.TopicCreator}).
 */
public final class Topics {

    /** Receiver definitions; compacted, key = receiver id, a tombstone deletes. */
    public static final String RECEIVERS = "winch.receivers";
    public static final String SERVICE_SCALE = "winch.service.scale";
    public static final String HOST_SCALE = "winch.host.scale";
    public static final String IMAGE_PUSHED = "winch.image.pushed";
    /** What every worker did, for notifications and delivery history. */
    public static final String RESULTS = "winch.results";
    public static final String K8S_EVENTS = "winch.k8s.events";
    /**
     * What the notifier delivered to each channel; compacted, key = {@code channel|topic/partition@topicId}, so a
     * redelivered result is recognised and not sent to a channel again.
     */
    public static final String NOTIFICATIONS_DELIVERED = "winch.notifications.delivered";
    /** Notifications no channel took after the last try, or that a channel refused, with channel and reason. */
    public static final String NOTIFICATIONS_DLQ = "winch.notifications.dlq";

    /** Topics that carry CloudEvents and are consumed by a worker; each has a dead-letter topic. */
    public static final List<String> EVENT_TOPICS =
            List.of(SERVICE_SCALE, HOST_SCALE, IMAGE_PUSHED, RESULTS, K8S_EVENTS);

    private static final String DLQ_SUFFIX = ".dlq";

    private Topics() {
    }

    /** The dead-letter topic of a consumed topic: poison records go there after bounded retries. */
    public static String deadLetter(String topic) {
        return topic + DLQ_SUFFIX;
    }
}
