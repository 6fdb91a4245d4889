package dev.winch.common.kafka;

import java.util.Objects;

/**
 * Where a consumed record was read: its topic, partition and offset. Offsets only grow within a partition and are
 * never reused (unless the topic is deleted and created again), so a worker that records the highest offset it
 * applied for a partition can tell a redelivered record from a new one.
 *
 * @param topic     the topic
 * @param partition the partition
 * @param offset    the record's offset in the partition
 */
public record RecordPosition(String topic, int partition, long offset) {

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

    @Override
    public String toString() {
        return topicPartition() + "@" + offset;
    }
}
