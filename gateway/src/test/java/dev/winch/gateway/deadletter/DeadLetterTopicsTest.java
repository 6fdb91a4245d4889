package dev.winch.gateway.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class DeadLetterTopicsTest {

    private static final Set<String> EXISTING = Set.of("winch.service.scale", "winch.host.scale");

    @Test
    void onlyTopicsEndingInDlqAreDeadLetterTopics() {
        assertThat(DeadLetterTopics.isDeadLetterTopic("winch.service.scale.dlq")).isTrue();
        assertThat(DeadLetterTopics.isDeadLetterTopic("winch.service.scale")).isFalse();
        assertThat(DeadLetterTopics.isDeadLetterTopic(".dlq")).isFalse();
        assertThat(DeadLetterTopics.isDeadLetterTopic("winch.dlq.results")).isFalse();
        assertThat(DeadLetterTopics.isDeadLetterTopic("no spaces.dlq")).as("not a legal topic name").isFalse();
        assertThat(DeadLetterTopics.isDeadLetterTopic("a".repeat(246) + ".dlq")).isFalse();
    }

    @Test
    void aRecordGoesBackOnlyToTheTopicItsDeadLetterTopicBelongsTo() {
        assertThat(DeadLetterTopics.refusal("winch.service.scale.dlq", "winch.service.scale", EXISTING)).isEmpty();
        assertThat(DeadLetterTopics.refusal("winch.service.scale.dlq", "winch.host.scale", EXISTING))
                .hasValueSatisfying(reason -> assertThat(reason).contains("winch.host.scale")
                        .contains("winch.service.scale"));
    }

    @Test
    void aRecordWithoutItsOriginIsRefused() {
        assertThat(DeadLetterTopics.refusal("winch.service.scale.dlq", null, EXISTING))
                .hasValueSatisfying(reason -> assertThat(reason).contains("winch_dlq_topic"));
        assertThat(DeadLetterTopics.refusal("winch.service.scale.dlq", " ", EXISTING)).isPresent();
    }

    @Test
    void aRecordWhoseTopicWasDeletedIsRefused() {
        assertThat(DeadLetterTopics.refusal("winch.image.pushed.dlq", "winch.image.pushed", EXISTING))
                .hasValueSatisfying(reason -> assertThat(reason).contains("does not exist"));
    }
}
