package dev.winch.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventType;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.Topics;
import io.vertx.core.Future;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TypedEventsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-03T08:15:30Z"), ZoneOffset.UTC);

    @Test
    void handsAnEventOfTheTopicsTypeToTheHandlerTyped() {
        List<ActionResult> seen = new ArrayList<>();
        EventHandler handler = TypedEvents.of(Topics.RESULTS, ActionResult.class, event -> {
            seen.add(event.data());
            return Future.succeededFuture();
        });

        Event<ActionResult> event = result("e-1");
        assertThat(handler.handle(event).succeeded()).isTrue();
        assertThat(seen).containsExactly(event.data());
    }

    @Test
    void shouldFailPermanentlyWithoutCallingTheHandlerWhenTheTypeIsAnother() {
        List<Event<ActionResult>> seen = new ArrayList<>();
        EventHandler handler = TypedEvents.of(Topics.RESULTS, ActionResult.class, event -> {
            seen.add(event);
            return Future.succeededFuture();
        });

        Future<Void> outcome = handler.handle(hostScale());
        assertThat(outcome.failed()).isTrue();
        assertThat(outcome.cause()).isInstanceOf(PermanentFailure.class)
                .hasMessageContaining(Topics.RESULTS).hasMessageContaining("ActionResult")
                .hasMessageContaining(EventType.HOST_SCALE_REQUESTED.type());
        assertThat(seen).isEmpty();
    }

    @Test
    void handsABatchOverTypedWithItsPositionsInOrder() {
        List<String> seen = new ArrayList<>();
        List<RecordPosition> seenPositions = new ArrayList<>();
        BatchEventHandler handler = TypedEvents.ofBatches(Topics.RESULTS, ActionResult.class, (events, positions) -> {
            events.forEach(e -> seen.add(e.id()));
            seenPositions.addAll(positions);
            return Future.succeededFuture();
        });
        List<RecordPosition> positions = List.of(new RecordPosition(Topics.RESULTS, 2, 7),
                new RecordPosition(Topics.RESULTS, 2, 8));

        assertThat(handler.handle(List.of(result("e-1"), result("e-2")), positions).succeeded()).isTrue();
        assertThat(seen).containsExactly("e-1", "e-2");
        assertThat(seenPositions).isEqualTo(positions);
    }

    @Test
    void shouldFailABatchPermanentlyWhenOneEventIsOfAnotherType() {
        List<Event<ActionResult>> seen = new ArrayList<>();
        BatchEventHandler handler = TypedEvents.ofBatches(Topics.RESULTS, ActionResult.class, (events, positions) -> {
            seen.addAll(events);
            return Future.succeededFuture();
        });

        Future<Void> outcome = handler.handle(List.of(result("e-1"), hostScale()),
                List.of(new RecordPosition(Topics.RESULTS, 0, 1), new RecordPosition(Topics.RESULTS, 0, 2)));
        assertThat(outcome.cause()).isInstanceOf(PermanentFailure.class).hasMessageContaining("host-1");
        assertThat(seen).isEmpty();
    }

    private static Event<ActionResult> result(String id) {
        return new Event<>(id, URI.create("/winch/scaler"), CLOCK.instant(), new ActionResult("cause-" + id,
                EventType.SERVICE_SCALE_REQUESTED.type(), "demo-web", "shop/deployment/web", Outcome.APPLIED,
                "scaled", Map.of(), CLOCK.instant(), CLOCK.instant(), "scaler"));
    }

    private static Event<HostScaleRequested> hostScale() {
        return new Event<>("host-1", URI.create("/winch/gateway/hooks/hosts"), CLOCK.instant(),
                new HostScaleRequested("hosts", Map.of("pool", "workers"), ScaleAction.UP, 1, 1, 5, "mostRecent"));
    }
}
