package dev.winch.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The highest Kafka offset applied to a Kubernetes object, per partition it was read from, kept in one annotation
 * written in the same update as the change itself: {@code {"winch.service.scale/3@Tq2xXk9yRlyU4i9sqAbdBw": 1234}}
 * (topic, partition and the topic's Kafka id, which changes when the topic is created again).
 *
 * <p>A worker reads a partition in order and commits after acting, so a record of that partition at or below the
 * recorded offset was already decided on the object: when it comes again (a restart before the commit, a
 * rebalance), it is a duplicate, however many records the write folded. Offsets are per partition and never reused
 * within a topic, so an entry says nothing about any other partition: a record from a partition without an entry
 * (the topic got more partitions and the key moved) is judged by the event ids ({@link AppliedEvents}) alone.
 *
 * <p>An entry name is {@code topic/partition@topicId} ({@code topic/partition} when the id was not known),
 * optionally followed by a qualifier the worker chooses (the record
 * key, when records of several keys of one partition act on the same object). Values only grow.
 */
public final class AppliedOffsets {

    /** The annotation that holds the offsets, a JSON object from entry name to offset. */
    public static final String ANNOTATION = "winch.dev/applied-offsets";

    private static final ObjectMapper JSON = new ObjectMapper();

    private AppliedOffsets() {
    }

    /**
     * The recorded offsets. An annotation someone edited into something unreadable counts as empty, and so does an
     * entry that is not a whole number: the event ids still catch the redeliveries of their window, where refusing
     * every request would leave the object stuck until someone repairs it by hand.
     */
    public static Map<String, Long> read(Map<String, String> annotations) {
        String value = annotations == null ? null : annotations.get(ANNOTATION);
        if (value == null || value.isBlank()) {
            return Map.of();
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
        if (tree == null || !tree.isObject()) {
            return Map.of();
        }
        Map<String, Long> offsets = new TreeMap<>();
        tree.fields().forEachRemaining(entry -> {
            if (entry.getValue().canConvertToLong() && entry.getValue().isIntegralNumber()
                    && entry.getValue().asLong() >= 0) {
                offsets.put(entry.getKey(), entry.getValue().asLong());
            }
        });
        return Collections.unmodifiableMap(offsets);
    }

    /**
     * The annotation value with {@code applied} merged in, each entry keeping the higher of the recorded and the
     * new offset; entries are sorted by name so the same offsets always read the same.
     */
    public static String merge(Map<String, String> annotations, Map<String, Long> applied) {
        Map<String, Long> merged = new TreeMap<>(read(annotations));
        applied.forEach((entry, offset) -> merged.merge(entry, offset, Math::max));
        try {
            return JSON.writeValueAsString(merged);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("offsets could not be written as JSON", e);
        }
    }
}
