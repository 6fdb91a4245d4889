package dev.winch.scaler;

import dev.winch.common.event.Event;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.ServiceScaleRequested.WorkloadSelector;
import dev.winch.common.event.WorkloadRef;
import java.net.URI;
import java.time.Instant;
import java.util.Map;

/** Scale requests as the gateway writes them, for tests. */
public final class Requests {

    public static final URI SOURCE = URI.create("/winch/gateway/hooks/test");
    public static final Instant SENT = Instant.parse("2026-01-01T12:00:00Z");
    public static final WorkloadRef WEB = new WorkloadRef("demo", "deployment", "web");

    private Requests() {
    }

    public static Event<ServiceScaleRequested> up(String id, int amount, int min, int max) {
        return request(id, "am-up", WEB, ScaleAction.UP, amount, min, max, 0);
    }

    public static Event<ServiceScaleRequested> down(String id, int amount, int min, int max) {
        return request(id, "am-down", WEB, ScaleAction.DOWN, amount, min, max, 0);
    }

    public static Event<ServiceScaleRequested> request(String id, String receiver, WorkloadRef target,
            ScaleAction action, int amount, int min, int max, int cooldownSeconds) {
        return new Event<>(id, SOURCE, SENT,
                new ServiceScaleRequested(receiver, target, action, amount, min, max, cooldownSeconds));
    }

    public static Event<ServiceScaleRequested> selected(String id, String namespace, Map<String, String> labels,
            ScaleAction action, int amount, int min, int max) {
        return new Event<>(id, SOURCE, SENT, new ServiceScaleRequested("by-label", null, action, amount, min, max, 0,
                new WorkloadSelector(namespace, labels)));
    }

    /** The same request with a cooldown. */
    public static Event<ServiceScaleRequested> withCooldown(Event<ServiceScaleRequested> event, int seconds) {
        ServiceScaleRequested r = event.data();
        return new Event<>(event.id(), event.source(), event.time(), new ServiceScaleRequested(r.receiverId(),
                r.target(), r.action(), r.amount(), r.min(), r.max(), seconds, r.selector()));
    }

    /** The same request for another workload. */
    public static Event<ServiceScaleRequested> on(WorkloadRef target, Event<ServiceScaleRequested> event) {
        ServiceScaleRequested r = event.data();
        return new Event<>(event.id(), event.source(), event.time(), new ServiceScaleRequested(r.receiverId(),
                target, r.action(), r.amount(), r.min(), r.max(), r.cooldownSeconds()));
    }
}
