package dev.winch.gateway.plan;

import dev.winch.common.event.WinchEvent;
import java.util.List;

/** What a request to a receiver asks for: events to write, or nothing, with the reason. */
public sealed interface TriggerPlan {

    /**
     * Events to write, each with the delivery id that makes its event id (null: use the request's own delivery
     * id, or a fresh id).
     *
     * @param skipped reasons for the parts of the request that asked for nothing (e.g. a resolved alert)
     */
    record Events(List<Planned> events, List<String> skipped) implements TriggerPlan {
        public Events {
            events = List.copyOf(events);
            skipped = List.copyOf(skipped);
        }
    }

    /** A request that matched but asks for nothing: answered 200 with this reason, never silently. */
    record Nothing(String reason) implements TriggerPlan {
    }

    /** One event to write. */
    record Planned(String deliveryId, WinchEvent data) {
    }
}
