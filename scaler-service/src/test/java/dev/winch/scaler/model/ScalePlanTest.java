package dev.winch.scaler.model;

import static dev.winch.scaler.Requests.down;
import static dev.winch.scaler.Requests.up;
import static dev.winch.scaler.Requests.withCooldown;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.Event;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.RecordPosition;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.kubernetes.AppliedOffsets;
import dev.winch.scaler.Requests;
import dev.winch.scaler.model.ScaleStep.Decision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScalePlanTest {

    private static final String WEB = "demo/deployment/web";
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:05Z");

    private static ScalePlan plan(int replicas, Map<String, String> annotations,
            List<Event<ServiceScaleRequested>> requests) {
        return ScalePlan.fold(WEB, WorkloadState.of(replicas, annotations), requests, NOW);
    }

    private static ScalePlan plan(int replicas, Event<ServiceScaleRequested> request) {
        return plan(replicas, Map.of(), List.of(request));
    }

    private static ScalePlan plan(int replicas, Map<String, String> annotations,
            List<Event<ServiceScaleRequested>> requests, List<RecordPosition> positions) {
        return ScalePlan.fold(WEB, WorkloadState.of(replicas, annotations), requests, positions, NOW);
    }

    /** {@code count} records of the scale topic's partition {@code partition}, from offset {@code first} on. */
    private static List<RecordPosition> positions(int partition, long first, int count) {
        List<RecordPosition> positions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            positions.add(new RecordPosition(Topics.SERVICE_SCALE, partition, first + i));
        }
        return positions;
    }

    private static Map<String, String> offsets(String json) {
        return Map.of(AppliedOffsets.ANNOTATION, json);
    }

    @Test
    void scalesUpByTheAmount() {
        ScalePlan plan = plan(2, up("e1", 2, 1, 10));

        assertThat(plan.from()).isEqualTo(2);
        assertThat(plan.to()).isEqualTo(4);
        ScaleStep step = plan.steps().get(0);
        assertThat(step.decision()).isEqualTo(Decision.SCALED);
        assertThat(step.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(step.clamped()).isFalse();
        assertThat(step.reason()).isEqualTo("scaled demo/deployment/web up from 2 to 4");
    }

    @Test
    void scalesUpToMaxButNotBeyond() {
        ScalePlan plan = plan(4, up("e1", 3, 1, 5));

        assertThat(plan.to()).isEqualTo(5);
        ScaleStep step = plan.steps().get(0);
        assertThat(step.decision()).isEqualTo(Decision.CLAMPED);
        assertThat(step.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(step.clamped()).isTrue();
        assertThat(step.reason()).isEqualTo(
                "scaled demo/deployment/web from 4 to 5, the maximum (up by 3 would have made 7)");
    }

    @Test
    void reachingMaxExactlyIsNotClamped() {
        ScalePlan plan = plan(4, up("e1", 1, 1, 5));

        assertThat(plan.to()).isEqualTo(5);
        assertThat(plan.steps().get(0).clamped()).isFalse();
    }

    @Test
    void isANoopAlreadyAtMax() {
        ScalePlan plan = plan(5, up("e1", 1, 1, 5));

        assertThat(plan.to()).isEqualTo(5);
        assertThat(plan.changesReplicas()).isFalse();
        ScaleStep step = plan.steps().get(0);
        assertThat(step.outcome()).isEqualTo(Outcome.NOOP);
        assertThat(step.reason()).isEqualTo(
                "demo/deployment/web is already at 5 replicas, the maximum; nothing to scale up");
    }

    @Test
    void scalesDownToMinButNotBelow() {
        ScalePlan plan = plan(3, down("e1", 5, 1, 5));

        assertThat(plan.to()).isEqualTo(1);
        assertThat(plan.steps().get(0).clamped()).isTrue();
        assertThat(plan.steps().get(0).reason()).contains("to 1, the minimum (down by 5 would have made -2)");
    }

    @Test
    void isANoopAlreadyAtMin() {
        ScalePlan plan = plan(1, down("e1", 1, 1, 5));

        assertThat(plan.steps().get(0).outcome()).isEqualTo(Outcome.NOOP);
        assertThat(plan.steps().get(0).reason()).isEqualTo(
                "demo/deployment/web is already at 1 replica, the minimum; nothing to scale down");
    }

    @Test
    void neverPushesAWorkloadScaledByHandFurtherOutOfItsBounds() {
        ScalePlan upAboveMax = plan(8, up("e1", 1, 1, 5));
        assertThat(upAboveMax.to()).isEqualTo(8);
        assertThat(upAboveMax.steps().get(0).reason()).contains("already at 8 replicas, above the maximum 5");

        ScalePlan downBelowMin = plan(0, down("e2", 1, 2, 5));
        assertThat(downBelowMin.to()).isZero();
        assertThat(downBelowMin.steps().get(0).reason()).contains("below the minimum 2");
    }

    @Test
    void bringsAWorkloadOutsideItsBoundsBackToTheNearerBoundOnly() {
        ScalePlan down = plan(8, down("e1", 1, 1, 5));
        assertThat(down.to()).isEqualTo(5);
        assertThat(down.steps().get(0).clamped()).isTrue();

        ScalePlan up = plan(0, up("e2", 1, 2, 5));
        assertThat(up.to()).isEqualTo(2);
        assertThat(up.steps().get(0).clamped()).isTrue();
    }

    @Test
    void recognisesAnEventIdAlreadyRecordedOnTheWorkload() {
        ScalePlan plan = plan(3, Map.of(AppliedEvents.ANNOTATION, "e0,e1"), List.of(up("e1", 1, 1, 5)));

        assertThat(plan.to()).isEqualTo(3);
        assertThat(plan.steps().get(0).outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(plan.steps().get(0).reason())
                .isEqualTo("event e1 was already applied to demo/deployment/web; not applied again");
        assertThat(plan.needsWrite()).isFalse();
    }

    @Test
    void appliesAnEventDeliveredTwiceInOneBatchOnce() {
        ScalePlan plan = plan(2, Map.of(), List.of(up("e1", 1, 1, 5), up("e1", 1, 1, 5)));

        assertThat(plan.to()).isEqualTo(3);
        assertThat(plan.steps()).extracting(ScaleStep::outcome).containsExactly(Outcome.APPLIED, Outcome.DUPLICATE);
        assertThat(plan.recordedEventIds()).containsExactly("e1");
    }

    @Test
    void foldsABurstIntoOneCountAndListsEveryFoldedId() {
        List<Event<ServiceScaleRequested>> burst = List.of(up("a", 1, 1, 5), up("b", 1, 1, 5), up("c", 1, 1, 5),
                up("d", 1, 1, 5), down("e", 2, 1, 5));

        ScalePlan plan = plan(3, Map.of(), burst);

        assertThat(plan.from()).isEqualTo(3);
        assertThat(plan.to()).isEqualTo(3);
        assertThat(plan.steps()).extracting(ScaleStep::from).containsExactly(3, 4, 5, 5, 5);
        assertThat(plan.steps()).extracting(ScaleStep::to).containsExactly(4, 5, 5, 5, 3);
        assertThat(plan.steps()).extracting(ScaleStep::outcome).containsExactly(Outcome.APPLIED, Outcome.APPLIED,
                Outcome.NOOP, Outcome.NOOP, Outcome.APPLIED);
        assertThat(plan.recordedEventIds()).containsExactly("a", "b", "c", "d", "e");
        // Up and back down again: the count is where it started, but the ids must still be written.
        assertThat(plan.changesReplicas()).isFalse();
        assertThat(plan.needsWrite()).isTrue();
        assertThat(plan.scaledAt()).contains(NOW);
    }

    @Test
    void foldingAnyRunGivesWhatApplyingItOneByOneGives() {
        Random random = new Random(42);
        for (int run = 0; run < 500; run++) {
            List<Event<ServiceScaleRequested>> requests = randomRun(random, run);
            int start = random.nextInt(9);
            Map<String, String> annotations = random.nextBoolean()
                    ? Map.of(WorkloadState.LAST_SCALED_AT, NOW.minusSeconds(random.nextInt(90)).toString())
                    : Map.of();

            ScalePlan folded = plan(start, annotations, requests);

            int replicas = start;
            Map<String, String> state = new HashMap<>(annotations);
            List<ScaleStep> oneByOne = new ArrayList<>();
            for (Event<ServiceScaleRequested> request : requests) {
                ScalePlan single = plan(replicas, state, List.of(request));
                oneByOne.add(single.steps().get(0));
                if (single.needsWrite()) {
                    state = new HashMap<>(single.annotations(state));
                    replicas = single.to();
                }
            }
            assertThat(folded.to()).as("run %d: %s from %d", run, requests, start).isEqualTo(replicas);
            assertThat(folded.steps()).as("run %d", run).isEqualTo(oneByOne);
            assertThat(folded.annotations(annotations)).as("run %d", run).isEqualTo(state);
        }
    }

    private static List<Event<ServiceScaleRequested>> randomRun(Random random, int run) {
        List<Event<ServiceScaleRequested>> requests = new ArrayList<>();
        int size = 1 + random.nextInt(AppliedEvents.KEEP - 1);
        for (int i = 0; i < size; i++) {
            // now and then the same id again, as a redelivery would bring it
            String id = i > 0 && random.nextInt(8) == 0 ? requests.get(random.nextInt(i)).id() : "r" + run + "-" + i;
            int min = random.nextInt(3);
            int max = min + random.nextInt(6) - (random.nextInt(20) == 0 ? 3 : 0);
            int amount = random.nextInt(20) == 0 ? 0 : 1 + random.nextInt(3);
            ScaleAction action = random.nextBoolean() ? ScaleAction.UP : ScaleAction.DOWN;
            int cooldown = random.nextInt(3) == 0 ? 30 : 0;
            requests.add(Requests.request(id, "receiver-" + random.nextInt(2), Requests.WEB, action, amount, min,
                    max, cooldown));
        }
        return requests;
    }

    @Test
    void skipsASecondScaleWithinTheCooldown() {
        Map<String, String> scaledTenSecondsAgo = Map.of(WorkloadState.LAST_SCALED_AT, NOW.minusSeconds(10).toString());

        ScalePlan plan = plan(2, scaledTenSecondsAgo, List.of(withCooldown(up("e1", 1, 1, 5), 60)));

        assertThat(plan.to()).isEqualTo(2);
        ScaleStep step = plan.steps().get(0);
        assertThat(step.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(step.reason()).isEqualTo("demo/deployment/web was scaled at 2026-01-01T11:59:55Z, within the 60 s "
                + "cooldown of receiver am-up; skipped (next scale allowed from 2026-01-01T12:00:55Z)");
        assertThat(step.details()).containsEntry("cooldownUntil", "2026-01-01T12:00:55Z");
        // skipped is a decision about this workload at this time: recorded, so a late redelivery does not act
        assertThat(plan.recordedEventIds()).containsExactly("e1");
        assertThat(plan.scaledAt()).isEmpty();
    }

    @Test
    void scalesAgainOnceTheCooldownHasPassed() {
        Map<String, String> scaledAMinuteAgo = Map.of(WorkloadState.LAST_SCALED_AT, NOW.minusSeconds(60).toString());

        ScalePlan plan = plan(2, scaledAMinuteAgo, List.of(withCooldown(up("e1", 1, 1, 5), 60)));

        assertThat(plan.to()).isEqualTo(3);
    }

    @Test
    void measuresTheCooldownFromTheLastScaleByAnyReceiverSoUpAndDownDoNotFlap() {
        List<Event<ServiceScaleRequested>> upThenDown = List.of(up("e1", 1, 1, 5),
                withCooldown(down("e2", 1, 1, 5), 120));

        ScalePlan plan = plan(2, Map.of(), upThenDown);

        assertThat(plan.steps()).extracting(ScaleStep::outcome).containsExactly(Outcome.APPLIED, Outcome.SKIPPED);
        assertThat(plan.to()).isEqualTo(3);
    }

    @Test
    void letsOnlyTheFirstOfABurstScaleWhenItsReceiverHasACooldown() {
        List<Event<ServiceScaleRequested>> burst = List.of(withCooldown(up("a", 1, 1, 9), 30),
                withCooldown(up("b", 1, 1, 9), 30), withCooldown(up("c", 1, 1, 9), 30));

        ScalePlan plan = plan(2, Map.of(), burst);

        assertThat(plan.to()).isEqualTo(3);
        assertThat(plan.steps()).extracting(ScaleStep::outcome)
                .containsExactly(Outcome.APPLIED, Outcome.SKIPPED, Outcome.SKIPPED);
        assertThat(plan.annotations(Map.of()))
                .containsEntry(WorkloadState.LAST_SCALED_AT, NOW.toString())
                .containsEntry(WorkloadState.LAST_SCALED_BY, "am-up")
                .containsEntry(AppliedEvents.ANNOTATION, "a,b,c");
    }

    @Test
    void ignoresTheLastScaleWhenTheRequestHasNoCooldown() {
        Map<String, String> justScaled = Map.of(WorkloadState.LAST_SCALED_AT, NOW.toString());

        assertThat(plan(2, justScaled, List.of(up("e1", 1, 1, 5))).to()).isEqualTo(3);
    }

    @Test
    void treatsAnUnreadableLastScaledTimeAsNeverScaled() {
        Map<String, String> garbled = Map.of(WorkloadState.LAST_SCALED_AT, "yesterday-ish");

        assertThat(WorkloadState.of(2, garbled).lastScaledAt()).isEmpty();
        assertThat(plan(2, garbled, List.of(withCooldown(up("e1", 1, 1, 5), 600))).to()).isEqualTo(3);
    }

    @Test
    void failsUnusableRequestsWithoutTouchingTheOthers() {
        List<Event<ServiceScaleRequested>> requests = List.of(up("zero", 0, 1, 5), up("inverted", 1, 5, 2),
                up("fine", 1, 1, 5));

        ScalePlan plan = plan(2, Map.of(), requests);

        assertThat(plan.steps()).extracting(ScaleStep::outcome)
                .containsExactly(Outcome.FAILED, Outcome.FAILED, Outcome.APPLIED);
        assertThat(plan.steps().get(0).reason())
                .isEqualTo("invalid scale request: amount must be at least 1, got 0; demo/deployment/web was not changed");
        assertThat(plan.steps().get(1).reason()).contains("max 2 is below min 5");
        assertThat(plan.recordedEventIds()).containsExactly("fine");
        assertThat(plan.to()).isEqualTo(3);
    }

    @Test
    void recordsANoopSoARedeliveryCannotActOnAWorkloadThatMovedSince() {
        ScalePlan atMax = plan(5, up("e1", 1, 1, 5));

        assertThat(atMax.needsWrite()).isTrue();
        Map<String, String> after = atMax.annotations(Map.of());
        assertThat(after).containsEntry(AppliedEvents.ANNOTATION, "e1").doesNotContainKey(WorkloadState.LAST_SCALED_AT);

        // someone scales down; the no-op's record is redelivered: still not applied
        ScalePlan redelivered = plan(4, after, List.of(up("e1", 1, 1, 5)));
        assertThat(redelivered.to()).isEqualTo(4);
        assertThat(redelivered.steps().get(0).outcome()).isEqualTo(Outcome.DUPLICATE);
    }

    @Test
    void keepsTheWorkloadsOtherAnnotationsAndAppendsToTheRecordedIds() {
        Map<String, String> current = Map.of("team", "payments", AppliedEvents.ANNOTATION, "old1,old2",
                WorkloadState.LAST_SCALED_BY, "someone");

        Map<String, String> after = plan(2, current, List.of(up("e1", 1, 1, 5))).annotations(current);

        assertThat(after).containsEntry("team", "payments")
                .containsEntry(AppliedEvents.ANNOTATION, "old1,old2,e1")
                .containsEntry(WorkloadState.LAST_SCALED_AT, NOW.toString())
                .containsEntry(WorkloadState.LAST_SCALED_BY, "am-up");
    }

    @Test
    void readsTheStateFromTheWorkloadsAnnotations() {
        WorkloadState state = WorkloadState.of(3, Map.of(AppliedEvents.ANNOTATION, "a, b",
                WorkloadState.LAST_SCALED_AT, "2026-01-01T10:00:00Z"));

        assertThat(state.replicas()).isEqualTo(3);
        assertThat(state.appliedEventIds()).containsExactly("a", "b");
        assertThat(state.lastScaledAt()).contains(Instant.parse("2026-01-01T10:00:00Z"));
        assertThat(WorkloadState.of(1, null).lastScaledAt()).isEqualTo(Optional.empty());
    }

    // ------------------------------------------------------------------------------------------- offsets

    @Test
    void takesARecordAtOrBelowTheOffsetRecordedForItsPartitionAsARedelivery() {
        Map<String, String> decided = offsets("{\"winch.service.scale/3\": 1234}");

        ScalePlan plan = plan(2, decided, List.of(up("old", 1, 1, 9), up("last", 1, 1, 9), up("new", 1, 1, 9)),
                List.of(new RecordPosition(Topics.SERVICE_SCALE, 3, 1000),
                        new RecordPosition(Topics.SERVICE_SCALE, 3, 1234),
                        new RecordPosition(Topics.SERVICE_SCALE, 3, 1235)));

        assertThat(plan.steps()).extracting(ScaleStep::decision)
                .containsExactly(Decision.DUPLICATE, Decision.DUPLICATE, Decision.SCALED);
        assertThat(plan.steps().get(0).reason()).isEqualTo("event old (record winch.service.scale/3@1000) was "
                + "already decided on demo/deployment/web, which records offsets up to 1234 of "
                + "winch.service.scale/3; not applied again");
        assertThat(plan.to()).isEqualTo(3);
        assertThat(plan.recordedEventIds()).containsExactly("new");
        assertThat(AppliedOffsets.read(plan.annotations(decided))).containsExactly(
                Map.entry("winch.service.scale/3", 1235L));
    }

    @Test
    void doesNotTakeOffsetsOfAnEarlierLifeOfTheTopicForThisOnes() {
        // The topic was deleted and created again (or Kafka was replaced): offsets start at 0 under a new topic id,
        // while the workload still carries what the old topic's records reached.
        Map<String, String> decided = offsets("{\"winch.service.scale/3@old-topic-id\": 1234}");

        ScalePlan plan = plan(2, decided, List.of(up("first", 1, 1, 9), up("again", 1, 1, 9)),
                List.of(new RecordPosition(Topics.SERVICE_SCALE, "new-topic-id", 3, 0),
                        new RecordPosition(Topics.SERVICE_SCALE, "old-topic-id", 3, 1234)));

        assertThat(plan.steps()).extracting(ScaleStep::decision)
                .containsExactly(Decision.SCALED, Decision.DUPLICATE);
        assertThat(plan.to()).isEqualTo(3);
        assertThat(AppliedOffsets.read(plan.annotations(decided))).containsExactly(
                Map.entry("winch.service.scale/3@new-topic-id", 0L),
                Map.entry("winch.service.scale/3@old-topic-id", 1234L));
    }

    @Test
    void doesNotTakeALowerOffsetOfAnotherPartitionAsARedelivery() {
        // The topic got more partitions: the workload's key moved from partition 3 to partition 1.
        Map<String, String> decided = offsets("{\"winch.service.scale/3\": 1234}");

        ScalePlan plan = plan(2, decided, List.of(up("moved", 1, 1, 9)), positions(1, 7, 1));

        assertThat(plan.steps()).extracting(ScaleStep::decision).containsExactly(Decision.SCALED);
        assertThat(AppliedOffsets.read(plan.annotations(decided))).containsExactly(
                Map.entry("winch.service.scale/1", 7L), Map.entry("winch.service.scale/3", 1234L));
    }

    @Test
    void knowsANewRecordOfAnAppliedEventByItsId() {
        // The sender retried a delivery: the gateway published the same event id again, as a new record.
        Map<String, String> decided = Map.of(AppliedOffsets.ANNOTATION, "{\"winch.service.scale/3\": 40}",
                AppliedEvents.ANNOTATION, "e0,e1");

        ScalePlan plan = plan(3, decided, List.of(up("e1", 1, 1, 9)), positions(3, 57, 1));

        assertThat(plan.steps()).extracting(ScaleStep::decision).containsExactly(Decision.DUPLICATE);
        assertThat(plan.steps().get(0).reason())
                .isEqualTo("event e1 was already applied to demo/deployment/web; not applied again");
        assertThat(plan.to()).isEqualTo(3);
        assertThat(plan.needsWrite()).isFalse();
    }

    @Test
    void keepsTheOffsetsOfASelectorApartFromThoseOfTheWorkloadsOwnKey() {
        // Requests naming web and a selector matching it share partition 2, and are folded in separate plans: the
        // plan of web's own key wrote offset 90 while the selector's plan (offset 80, same batch) failed.
        Map<String, String> decided = offsets("{\"winch.service.scale/2\": 90}");
        Event<ServiceScaleRequested> bySelector = Requests.selected("s1", "demo", Map.of("tier", "web"),
                ScaleAction.UP, 1, 1, 9);

        ScalePlan plan = plan(2, decided, List.of(bySelector), positions(2, 80, 1));

        assertThat(plan.steps()).extracting(ScaleStep::decision).containsExactly(Decision.SCALED);
        assertThat(AppliedOffsets.read(plan.annotations(decided))).containsExactly(
                Map.entry("winch.service.scale/2", 90L),
                Map.entry("winch.service.scale/2 demo/selector:tier=web", 80L));
    }

    @Test
    void foldingAThousandRequestsGivesWhatApplyingThemOneByOneGives() {
        Random random = new Random(7);
        List<Event<ServiceScaleRequested>> requests = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            // now and then an id of the last few again: the same event published twice
            String id = i > 5 && random.nextInt(20) == 0 ? requests.get(i - 1 - random.nextInt(5)).id() : "b-" + i;
            ScaleAction action = random.nextBoolean() ? ScaleAction.UP : ScaleAction.DOWN;
            int cooldown = random.nextInt(50) == 0 ? 30 : 0;
            int amount = random.nextInt(100) == 0 ? 0 : 1 + random.nextInt(2);
            requests.add(Requests.request(id, "receiver-" + random.nextInt(2), Requests.WEB, action, amount, 1, 12,
                    cooldown));
        }
        List<RecordPosition> positions = positions(3, 5000, requests.size());

        ScalePlan folded = plan(4, Map.of(), requests, positions);

        int replicas = 4;
        Map<String, String> state = new HashMap<>();
        List<ScaleStep> oneByOne = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            ScalePlan single = plan(replicas, state, List.of(requests.get(i)), List.of(positions.get(i)));
            oneByOne.add(single.steps().get(0));
            if (single.needsWrite()) {
                state = new HashMap<>(single.annotations(state));
                replicas = single.to();
            }
        }
        assertThat(folded.to()).isEqualTo(replicas);
        assertThat(folded.steps()).isEqualTo(oneByOne);
        Map<String, String> after = folded.annotations(Map.of());
        assertThat(AppliedEvents.ids(after)).hasSize(AppliedEvents.KEEP).isEqualTo(AppliedEvents.ids(state));
        assertThat(AppliedEvents.ids(after)).last().isEqualTo(folded.recordedEventIds()
                .get(folded.recordedEventIds().size() - 1));
        assertThat(AppliedOffsets.read(after)).containsExactly(Map.entry("winch.service.scale/3", 5999L));
    }

    @Test
    void recognisesEveryRecordOfAFoldedThousandWhenTheyAreRedelivered() {
        List<Event<ServiceScaleRequested>> burst = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            burst.add(i % 3 == 2 ? down("d-" + i, 1, 1, 50) : up("u-" + i, 1, 1, 50));
        }
        List<RecordPosition> positions = positions(0, 0, burst.size());
        ScalePlan first = plan(1, Map.of(), burst, positions);
        Map<String, String> after = first.annotations(Map.of());

        ScalePlan again = plan(first.to(), after, burst, positions);

        assertThat(first.to()).isEqualTo(50);
        assertThat(AppliedEvents.ids(after)).hasSize(AppliedEvents.KEEP);
        assertThat(again.steps()).extracting(ScaleStep::decision).containsOnly(Decision.DUPLICATE);
        assertThat(again.to()).isEqualTo(50);
        assertThat(again.needsWrite()).isFalse();
    }

    @Test
    void readsTheOffsetsFromTheWorkloadsAnnotations() {
        assertThat(WorkloadState.of(3, offsets("{\"winch.service.scale/0\": 12, \"winch.service.scale/1\": 3}"))
                .appliedOffsets())
                .containsExactlyInAnyOrderEntriesOf(Map.of("winch.service.scale/0", 12L, "winch.service.scale/1", 3L));
        assertThat(WorkloadState.of(3, Map.of()).appliedOffsets()).isEmpty();
    }
}
