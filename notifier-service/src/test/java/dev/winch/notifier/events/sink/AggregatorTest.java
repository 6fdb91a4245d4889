package dev.winch.notifier.events.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.KubeEventObserved;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AggregatorTest {

    private static final Instant T0 = Instant.parse("2026-12-02T09:00:00Z");
    private final Aggregator aggregator = new Aggregator(Duration.ofMinutes(1));
    private final KubeEventObserved first = TestEvents.pod("demo", "web-1", "Warning", "BackOff", "Back-off", 1);

    @Test
    void countOnlyRepeatsWithinTheWindowAreHeldAndTheLatestIsDueWhenItEnds() {
        assertThat(aggregator.admit(first, T0)).isEqualTo(Aggregator.Decision.SEND);
        KubeEventObserved second = TestEvents.repeated(first, 2, T0.plusSeconds(10), "101");
        KubeEventObserved third = TestEvents.repeated(first, 3, T0.plusSeconds(20), "102");
        assertThat(aggregator.admit(second, T0.plusSeconds(10))).isEqualTo(Aggregator.Decision.HELD);
        assertThat(aggregator.admit(third, T0.plusSeconds(20))).isEqualTo(Aggregator.Decision.HELD);
        assertThat(aggregator.heldUntil(first.uid())).contains(T0.plusSeconds(60));

        assertThat(aggregator.due(first.uid(), T0.plusSeconds(59))).isEmpty();
        assertThat(aggregator.due(first.uid(), T0.plusSeconds(60))).get()
                .extracting(KubeEventObserved::count).isEqualTo(3);
        assertThat(aggregator.due(first.uid(), T0.plusSeconds(61))).as("handed over once").isEmpty();

        // the next repeat waits for a window counted from the message that carried count 3
        KubeEventObserved fourth = TestEvents.repeated(first, 4, T0.plusSeconds(70), "103");
        assertThat(aggregator.admit(fourth, T0.plusSeconds(70))).isEqualTo(Aggregator.Decision.HELD);
        assertThat(aggregator.admit(TestEvents.repeated(first, 5, T0.plusSeconds(200), "104"), T0.plusSeconds(200)))
                .as("a repeat held past its window is replaced by a newer one, not sent before it")
                .isEqualTo(Aggregator.Decision.HELD);
        assertThat(aggregator.due(first.uid(), T0.plusSeconds(200))).get()
                .extracting(KubeEventObserved::count).isEqualTo(5);
        assertThat(aggregator.admit(TestEvents.repeated(first, 6, T0.plusSeconds(300), "106"), T0.plusSeconds(300)))
                .as("after the window a repeat goes at once").isEqualTo(Aggregator.Decision.SEND);
    }

    @Test
    void aChangeBeyondCountAndTimeIsSentAtOnce() {
        aggregator.admit(first, T0);
        KubeEventObserved otherMessage = TestEvents.event(first.uid(), "demo", "Pod", "web-1", "Warning", "BackOff",
                "Back-off restarting failed container web", 2, T0.plusSeconds(5), "105");
        assertThat(aggregator.admit(otherMessage, T0.plusSeconds(5))).isEqualTo(Aggregator.Decision.SEND);
        KubeEventObserved otherEvent = TestEvents.pod("demo", "web-2", "Warning", "BackOff", "Back-off", 1);
        assertThat(aggregator.admit(otherEvent, T0.plusSeconds(6))).isEqualTo(Aggregator.Decision.SEND);
    }

    @Test
    void anOlderCountArrivingLateDoesNotReplaceANewerOne() {
        aggregator.admit(first, T0);
        aggregator.admit(TestEvents.repeated(first, 5, T0.plusSeconds(5), "105"), T0.plusSeconds(5));
        aggregator.admit(TestEvents.repeated(first, 4, T0.plusSeconds(4), "104"), T0.plusSeconds(6));
        assertThat(aggregator.due(first.uid(), T0.plusSeconds(60))).get()
                .extracting(KubeEventObserved::count).isEqualTo(5);
    }

    @Test
    void aVersionAlreadySeenIsCovered() {
        assertThat(aggregator.admit(first, T0)).isEqualTo(Aggregator.Decision.SEND);
        assertThat(aggregator.admit(first, T0.plusSeconds(1))).isEqualTo(Aggregator.Decision.COVERED);
        KubeEventObserved second = TestEvents.repeated(first, 2, T0.plusSeconds(10), "101");
        assertThat(aggregator.admit(second, T0.plusSeconds(10))).isEqualTo(Aggregator.Decision.HELD);
        assertThat(aggregator.admit(second, T0.plusSeconds(11))).isEqualTo(Aggregator.Decision.COVERED);
    }

    @Test
    void aRepeatHeldBeforeARestartKeepsItsWindowAndIsReplacedByANewerOne() {
        KubeEventObserved held = TestEvents.repeated(first, 2, T0.plusSeconds(10), "101");
        KubeEventObserved newer = TestEvents.repeated(first, 3, T0.plusSeconds(20), "102");
        Aggregator restarted = new Aggregator(Duration.ofMinutes(1));
        assertThat(restarted.admit(newer, T0.plusSeconds(20),
                java.util.Optional.of(new Aggregator.Pending(held, T0.plusSeconds(60)))))
                .isEqualTo(Aggregator.Decision.HELD);
        assertThat(restarted.heldUntil(first.uid())).contains(T0.plusSeconds(60));
        assertThat(restarted.stillHeld(held)).as("replaced").isFalse();
        assertThat(restarted.stillHeld(newer)).isTrue();
        restarted.sending(newer, T0.plusSeconds(60));
        assertThat(restarted.admit(TestEvents.repeated(first, 4, T0.plusSeconds(70), "103"), T0.plusSeconds(70)))
                .as("a new window from the folded message").isEqualTo(Aggregator.Decision.HELD);
        assertThat(restarted.heldUntil(first.uid())).contains(T0.plusSeconds(120));

        Aggregator fresh = new Aggregator(Duration.ofMinutes(1));
        fresh.sending(newer, T0.plusSeconds(60));
        assertThat(fresh.admit(TestEvents.repeated(first, 4, T0.plusSeconds(61), "103"), T0.plusSeconds(61),
                java.util.Optional.of(new Aggregator.Pending(newer, T0.plusSeconds(60)))))
                .as("a repeat while a held one kept in Kafka is being sent starts a hold of its own")
                .isEqualTo(Aggregator.Decision.HELD);
        assertThat(fresh.heldUntil(first.uid())).contains(T0.plusSeconds(120));
    }

    @Test
    void aZeroWindowSendsEverything() {
        Aggregator off = new Aggregator(Duration.ZERO);
        assertThat(off.admit(first, T0)).isEqualTo(Aggregator.Decision.SEND);
        assertThat(off.admit(TestEvents.repeated(first, 2, T0, "101"), T0)).isEqualTo(Aggregator.Decision.SEND);
    }
}
