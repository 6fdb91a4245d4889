package dev.winch.scaler.model;

import static dev.winch.scaler.Requests.down;
import static dev.winch.scaler.Requests.up;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.scaler.Requests;
import dev.winch.scaler.model.ScaleResults.Context;
import dev.winch.scaler.model.ScaleResults.Failure;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScaleResultsTest {

    private static final Instant STARTED = Requests.SENT.plusMillis(250);
    private static final Instant FINISHED = STARTED.plusMillis(40);
    private static final Context CONTEXT = new Context("demo/deployment/web", Optional.empty(), "scaler-a", STARTED);

    @Test
    void reportsEveryFoldedRequestOnItsOwnListingAllIdsOfTheWrite() {
        List<Event<ServiceScaleRequested>> requests = List.of(up("a", 2, 1, 5), up("b", 2, 1, 5), down("c", 1, 1, 5));
        ScalePlan plan = ScalePlan.fold(CONTEXT.target(), WorkloadState.of(2, Map.of()), requests, STARTED);

        List<ActionResult> results = ScaleResults.planned(plan, requests, CONTEXT, 1, FINISHED);

        assertThat(results).extracting(ActionResult::causeId).containsExactly("a", "b", "c");
        assertThat(results).extracting(ActionResult::outcome)
                .containsExactly(Outcome.APPLIED, Outcome.APPLIED, Outcome.APPLIED);
        ActionResult clamped = results.get(1);
        assertThat(clamped.causeType()).isEqualTo("dev.winch.service.scale.requested");
        assertThat(clamped.receiverId()).isEqualTo("am-up");
        assertThat(clamped.target()).isEqualTo("demo/deployment/web");
        assertThat(clamped.worker()).isEqualTo("scaler");
        assertThat(clamped.startedAt()).isEqualTo(STARTED);
        assertThat(clamped.finishedAt()).isEqualTo(FINISHED);
        assertThat(clamped.details())
                .containsEntry("from", "4").containsEntry("to", "5").containsEntry("clamped", "true")
                .containsEntry("replicasBefore", "2").containsEntry("replicasAfter", "4")
                .containsEntry("foldedEventIds", "a,b,c").containsEntry("foldedCount", "3")
                .containsEntry("action", "up").containsEntry("amount", "2")
                .containsEntry("min", "1").containsEntry("max", "5")
                .containsEntry("instance", "scaler-a").containsEntry("waitedMs", "250")
                .containsEntry("attempts", "1");
    }

    @Test
    void aDuplicateDoesNotClaimToBePartOfTheWrite() {
        List<Event<ServiceScaleRequested>> requests = List.of(up("a", 1, 1, 5));
        ScalePlan plan = ScalePlan.fold(CONTEXT.target(),
                WorkloadState.of(3, Map.of("winch.dev/applied-events", "a")), requests, STARTED);

        ActionResult result = ScaleResults.planned(plan, requests, CONTEXT, 0, FINISHED).get(0);

        assertThat(result.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(result.details()).doesNotContainKey("foldedEventIds").containsEntry("attempts", "0");
    }

    @Test
    void failsEveryRequestWithTheReasonAndAFailureCode() {
        List<ActionResult> results = ScaleResults.failed(List.of(up("a", 1, 1, 5), up("b", 1, 1, 5)), CONTEXT,
                Failure.HPA_MANAGED, "scaled by an HPA", Map.of("hpa", "web"), FINISHED);

        assertThat(results).extracting(ActionResult::causeId).containsExactly("a", "b");
        assertThat(results).allSatisfy(result -> {
            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(result.reason()).isEqualTo("scaled by an HPA");
            assertThat(result.details()).containsEntry("failure", "hpa-managed").containsEntry("hpa", "web");
        });
    }
}
