package dev.winch.gateway.console;

import dev.winch.gateway.deadletter.DeadLetters;
import dev.winch.gateway.deadletter.DeadLetters.TopicCount;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * How the Winch services are doing, as Kafka sees them: each consumer group that reads a Winch topic (the workers'
 * groups, {@code WINCH_CONSUMER_GROUP}, whatever they are called, and the notifier's per-channel groups) with its
 * members, state and lag, and how many records each dead-letter topic holds.
 */
public final class ServiceHealth {

    /** Winch's topics all start so (see {@code Topics}). */
    static final String TOPIC_PREFIX = "winch.";

    /**
     * One consumer group.
     *
     * @param lag end offset minus committed offset, summed over the partitions it has committed offsets for
     */
    public record Group(String group, List<String> topics, int members, long lag, String state) {
    }

    public record Health(List<Group> services, List<TopicCount> deadLetters) {
    }

    private final ConsoleKafka kafka;

    public ServiceHealth(ConsoleKafka kafka) {
        this.kafka = kafka;
    }

    /** Fails when Kafka cannot be asked within {@link ConsoleKafka#TIMEOUT} a call. */
    public Future<Health> check() {
        return kafka.call(() -> {
            Admin admin = kafka.admin();
            return new Health(groups(admin), DeadLetters.counts(admin));
        });
    }

    private static List<Group> groups(Admin admin) throws Exception {
        long timeout = ConsoleKafka.TIMEOUT.toMillis();
        Collection<ConsumerGroupListing> listed = admin.listConsumerGroups().all().get(timeout, TimeUnit.MILLISECONDS);
        if (listed.isEmpty()) {
            return List.of();
        }
        List<String> ids = listed.stream().map(ConsumerGroupListing::groupId).toList();
        Map<String, KafkaFuture<ConsumerGroupDescription>> described = admin.describeConsumerGroups(ids)
                .describedGroups();
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        ids.forEach(id -> specs.put(id, new ListConsumerGroupOffsetsSpec()));
        ListConsumerGroupOffsetsResult offsets = admin.listConsumerGroupOffsets(specs);
        Map<String, ConsumerGroupDescription> descriptions = new HashMap<>();
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        for (String id : ids) {
            ConsumerGroupDescription description = orGone(described.get(id), timeout);
            Map<TopicPartition, OffsetAndMetadata> all = orGone(offsets.partitionsToOffsetAndMetadata(id), timeout);
            if (description == null || all == null) {
                continue;
            }
            descriptions.put(id, description);
            Map<TopicPartition, OffsetAndMetadata> winch = new HashMap<>();
            all.forEach((partition, offset) -> {
                if (offset != null && partition.topic().startsWith(TOPIC_PREFIX)) {
                    winch.put(partition, offset);
                }
            });
            committed.put(id, winch);
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.values().forEach(c -> c.keySet().forEach(p -> latest.put(p, OffsetSpec.latest())));
        Map<TopicPartition, ListOffsetsResultInfo> end = latest.isEmpty() ? Map.of()
                : admin.listOffsets(latest).all().get(timeout, TimeUnit.MILLISECONDS);
        Map<String, Group> groups = new TreeMap<>();
        descriptions.forEach((id, description) -> {
            Set<String> topics = new TreeSet<>();
            committed.get(id).keySet().forEach(p -> topics.add(p.topic()));
            description.members().forEach(member -> member.assignment().topicPartitions().forEach(p -> {
                if (p.topic().startsWith(TOPIC_PREFIX)) {
                    topics.add(p.topic());
                }
            }));
            if (topics.isEmpty()) {
                // Not a Winch service's group: it reads no Winch topic.
                return;
            }
            long lag = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> offset : committed.get(id).entrySet()) {
                ListOffsetsResultInfo info = end.get(offset.getKey());
                if (info != null) {
                    lag += Math.max(0, info.offset() - offset.getValue().offset());
                }
            }
            groups.put(id, new Group(id, new ArrayList<>(topics), description.members().size(), lag,
                    stateName(description)));
        });
        return List.copyOf(groups.values());
    }

    /** The answer about one group, or null when the group went away since it was listed. */
    private static <T> T orGone(KafkaFuture<T> future, long timeoutMillis) throws Exception {
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return null;
            }
            throw e;
        }
    }

    /** {@code Stable}, {@code Empty}, {@code PreparingRebalance}... as Kafka's tools print them. */
    private static String stateName(ConsumerGroupDescription description) {
        return description.groupState().toString();
    }
}
