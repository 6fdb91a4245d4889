package dev.winch.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AppliedOffsetsTest {

    @Test
    void mergesEachPartitionKeepingTheHigherOffset() {
        Map<String, String> annotations = Map.of(AppliedOffsets.ANNOTATION,
                "{\"winch.service.scale/3\":1234,\"winch.service.scale/1\":10}");

        String merged = AppliedOffsets.merge(annotations, Map.of("winch.service.scale/3", 1200L,
                "winch.service.scale/1", 11L, "winch.host.scale/0", 5L));

        assertThat(merged).isEqualTo(
                "{\"winch.host.scale/0\":5,\"winch.service.scale/1\":11,\"winch.service.scale/3\":1234}");
    }

    @Test
    void startsFromNothingWithoutTheAnnotation() {
        assertThat(AppliedOffsets.read(null)).isEmpty();
        assertThat(AppliedOffsets.merge(Map.of("team", "payments"), Map.of("winch.service.scale/0", 0L)))
                .isEqualTo("{\"winch.service.scale/0\":0}");
    }

    @Test
    void treatsAnUnreadableAnnotationAsNoOffsetsAndSkipsEntriesThatAreNotOffsets() {
        assertThat(AppliedOffsets.read(Map.of(AppliedOffsets.ANNOTATION, "winch.service.scale/3=12"))).isEmpty();
        assertThat(AppliedOffsets.read(Map.of(AppliedOffsets.ANNOTATION, "[1, 2]"))).isEmpty();
        assertThat(AppliedOffsets.read(Map.of(AppliedOffsets.ANNOTATION,
                "{\"a/0\": \"12\", \"a/1\": 1.5, \"a/2\": -3, \"a/3\": 7}")))
                .containsExactly(Map.entry("a/3", 7L));
    }
}
