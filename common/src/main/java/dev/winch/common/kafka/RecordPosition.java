package dev.winch.common.kafka;

import java.util.Objects;

/**
 * Where a consumed record was read: its topic, partition and offset, and the topic's id. Offsets only grow within
 * a partition and are never reused while the topic lives, so a worker that records the highest offset it applied
 * for a partition can tell a redelivered record from a new one. A topic deleted and created again (or a new Kafka
 * cluster) starts its offsets at 0 again under a new topic id: offsets recorded under {@link #partitionEntry()}
 * name the id, so they say nothing about the new topic's records.
 *
 * @param topic     the topic
 * @param topicId   Kafka's id of the topic (a new one each time a topic of that name is created), or null when the
 *                  consumer could not learn it
 * @param partition the partition
 * @param offset    the record's offset in the partition
 */
public record RecordPosition(String topic, String topicId, int partition, long offset) {

    /** A position whose topic id is not known. */
    public RecordPosition(String topic, int partition, long offset) {
        this(topic, null, partition, offset);
    }

    public RecordPosition {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must not be negative, got " + partition
                    + "@" + offset);
        }
    }

    /** {@code topic/partition}, e.g. {@code winch.service.scale/3}. */
    public String topicPartition() {
        return topic + "/" + partition;
    }

    /**
     * The name under which offsets of this partition are recorded: {@code topic/partition@topicId}, or
     * {@code topic/partition} when the topic id is not known.
     */
    public String partitionEntry() {
        return topicId == null ? topicPartition() : topicPartition() + "@" + topicId;
    }

    @Override
    public String toString() {
        return topicPartition() + "@" + offset;
    }
}
