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
    void aZeroWindowSendsEverything() {
        Aggregator off = new Aggregator(Duration.ZERO);
        assertThat(off.admit(first, T0)).isEqualTo(Aggregator.Decision.SEND);
        assertThat(off.admit(TestEvents.repeated(first, 2, T0, "101"), T0)).isEqualTo(Aggregator.Decision.SEND);
    }
}
