package dev.winch.gateway.deadletter;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Which topics are dead-letter topics, where their records may go back to, and why one may not. No I/O. */
public final class DeadLetterTopics {

    public static final String SUFFIX = ".dlq";
    /** Kafka's own rule for topic names; anything else the admin client refuses with an error of its own. */
    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private DeadLetterTopics() {
    }

    /** A legal Kafka topic name (at most 249 of {@code [a-zA-Z0-9._-]}) that ends in {@code .dlq}. */
    public static boolean isDeadLetterTopic(String topic) {
        return topic != null && topic.endsWith(SUFFIX) && topic.length() > SUFFIX.length()
                && LEGAL_NAME.matcher(topic).matches();
    }

    /** The topic a dead-letter topic belongs to: {@code winch.service.scale.dlq} to {@code winch.service.scale}. */
    public static String originalOf(String deadLetterTopic) {
        return deadLetterTopic.substring(0, deadLetterTopic.length() - SUFFIX.length());
    }

    /**
     * Why a record of {@code deadLetterTopic} whose {@code winch_dlq_topic} header says {@code named} may not go
     * back, or empty when it may: the header must be there and name the topic the dead-letter topic belongs to,
     * and that topic must still exist. A record copied into the wrong dead-letter topic, or one whose topic was
     * deleted, would otherwise start something nobody asked for.
     */
    public static Optional<String> refusal(String deadLetterTopic, String named, Set<String> existingTopics) {
        String original = originalOf(deadLetterTopic);
        if (named == null || named.isBlank()) {
            return Optional.of("the record has no winch_dlq_topic header: where it came from is unknown");
        }
        if (!named.equals(original)) {
            return Optional.of("the record came from '" + named + "', not from '" + original + "', the topic "
                    + deadLetterTopic + " belongs to");
        }
        if (!existingTopics.contains(named)) {
            return Optional.of("the topic '" + named + "' does not exist any more");
        }
        return Optional.empty();
    }
}
