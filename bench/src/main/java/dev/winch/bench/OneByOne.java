package dev.winch.bench;

import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.RecordPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The replica counts the scale requests on {@code winch.service.scale} lead to when applied one at a time, in
 * partition order (the order the scaler must respect), each within its own bounds. Written here from the rules of
 * the issue, not with the scaler's {@code ScalePlan}, so the benchmark checks the scaler instead of repeating it.
 * Cooldowns are not modelled: the benchmark's receivers have none, and any request with one is counted.
 */
final class OneByOne {

    /**
     * Where one target ends up.
     *
     * @param replicas   the count after every request
     * @param requests   requests for the target on the topic
     * @param atBound    requests that changed nothing because the count was already at the bound they go towards
     * @param clamped    requests that stopped at a bound
     * @param duplicates requests whose id came before
     * @param withCooldown requests with a cooldown, which this replay ignores
     */
    record Outcome(int replicas, int requests, int atBound, int clamped, int duplicates, int withCooldown) {
    }

    private OneByOne() {
    }

    /** Replays the whole topic; {@code start} gives each target's replica count before its first request. */
    static Map<String, Outcome> replay(String bootstrapServers, Map<String, Integer> start) {
        Map<String, List<Event<ServiceScaleRequested>>> byKey = read(bootstrapServers);
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        byKey.forEach((key, events) -> {
            if (start.containsKey(key)) {
                outcomes.put(key, fold(start.get(key), events));
            }
        });
        return outcomes;
    }

    static Outcome fold(int replicas, List<Event<ServiceScaleRequested>> events) {
        Set<String> seen = new HashSet<>();
        int atBound = 0;
        int clamped = 0;
        int duplicates = 0;
        int withCooldown = 0;
        for (Event<ServiceScaleRequested> event : events) {
            if (!seen.add(event.id())) {
                duplicates++;
                continue;
            }
            ServiceScaleRequested r = event.data();
            if (r.cooldownSeconds() > 0) {
                withCooldown++;
            }
            boolean up = r.action() == ScaleAction.UP;
            long wanted = up ? (long) replicas + r.amount() : (long) replicas - r.amount();
            long bounded = Math.max(r.min(), Math.min(r.max(), wanted));
            // a count outside the bounds is never pushed further out by a request going the other way
            int next = (int) (up ? Math.max(bounded, replicas) : Math.min(bounded, replicas));
            if (next == replicas) {
                atBound++;
            } else if (next != wanted) {
                clamped++;
            }
            replicas = next;
        }
        return new Outcome(replicas, events.size(), atBound, clamped, duplicates, withCooldown);
    }

    /** Every scale request on the topic, by key, each key's in partition order. */
    private static Map<String, List<Event<ServiceScaleRequested>>> read(String bootstrapServers) {
        Map<String, List<Event<ServiceScaleRequested>>> byKey = new HashMap<>();
        forEachRequest(bootstrapServers, (record, request) ->
                byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(request));
        return byKey;
    }

    /** A request's record: its key (the target) and where it was written. */
    record Placed(String key, RecordPosition position) {
    }

    /** Where each scale request on the topic was written, by event id (the first record, for an id seen twice). */
    static Map<String, Placed> positions(String bootstrapServers) {
        Map<String, Placed> positions = new HashMap<>();
        forEachRequest(bootstrapServers, (record, request) -> positions.putIfAbsent(request.id(), new Placed(
                record.key(), new RecordPosition(record.topic(), record.partition(), record.offset()))));
        return positions;
    }

    private static void forEachRequest(String bootstrapServers,
            BiConsumer<ConsumerRecord<String, byte[]>, Event<ServiceScaleRequested>> action) {
        EventCodec codec = new EventCodec();
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.SERVICE_SCALE).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.SERVICE_SCALE + " within a minute");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Event<?> event;
                    try {
                        event = codec.fromRecord(record);
                    } catch (EventDecodingException e) {
                        // the scaler dead-letters it: it changes no replica count
                        continue;
                    }
                    if (event.data() instanceof ServiceScaleRequested) {
                        @SuppressWarnings("unchecked")
                        Event<ServiceScaleRequested> request = (Event<ServiceScaleRequested>) event;
                        action.accept(record, request);
                    }
                }
            }
        }
    }
}
