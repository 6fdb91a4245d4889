package dev.winch.notifier.events.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.KubeEventObserved;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordIdTest {

    private static KubeEventObserved event(String uid, String resourceVersion, String message) {
        Instant at = Instant.parse("2026-12-02T09:00:00Z");
        return new KubeEventObserved(uid, "demo", "Pod", "web-1", "BackOff", message, "Warning", 1, at, at,
                resourceVersion, Map.of());
    }

    @Test
    void theSameEventVersionGetsTheSameRecordIdAndAnotherVersionAnother() {
        String id = EventsWatcher.recordId(event("u-1", "100", "Back-off"));
        assertThat(EventsWatcher.recordId(event("u-1", "100", "Back-off"))).isEqualTo(id);
        assertThat(EventsWatcher.recordId(event("u-1", "101", "Back-off"))).isNotEqualTo(id);
        assertThat(EventsWatcher.recordId(event("u-2", "100", "Back-off"))).isNotEqualTo(id);
    }
}
