package dev.winch.notifier.channel;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.KubeEventObserved;
import java.util.List;
import java.util.Objects;

/**
 * What one message says: a single result, or a digest of several folded together when a burst exceeded the
 * channel's rate.
 */
public sealed interface Notification {

    /** The results this message tells about, oldest first; never empty, except for {@link KubeEvents}. */
    List<ActionResult> results();

    /**
     * One result.
     *
     * @param resultId the id of the {@code winch.results} record (its CloudEvent id), the idempotency key's other half
     * @param eventUrl {@code GET /api/v1/events/{id}} on the gateway's public URL, or null when that URL is unknown
     */
    record Single(String resultId, ActionResult result, String eventUrl) implements Notification {
        public Single {
            Objects.requireNonNull(resultId, "resultId");
            Objects.requireNonNull(result, "result");
        }

        @Override
        public List<ActionResult> results() {
            return List.of(result);
        }
    }

    /**
     * Several results folded into one message ("12 more results for demo/web in the last minute").
     *
     * @param resultIds the ids of every folded result, in the order of {@code results}
     * @param window    a phrase for the period they came in, e.g. "the last minute"
     */
    record Digest(List<String> resultIds, List<ActionResult> results, String window) implements Notification {
        public Digest {
            resultIds = List.copyOf(resultIds);
            results = List.copyOf(results);
            if (results.isEmpty() || results.size() != resultIds.size()) {
                throw new IllegalArgumentException("a digest needs one id per result, and at least one result");
            }
        }
    }

    /**
     * Kubernetes events (from {@code winch.k8s.events}) for an event sink: one, or several folded into a digest.
     * Only the event sinks ({@code dev.winch.notifier.events.sink}) are given these; they carry no action result.
     *
     * @param eventIds the ids of the {@code winch.k8s.events} records, in the order of {@code events}
     * @param window   for a digest, a phrase for the period they came in; null for one event
     */
    record KubeEvents(List<String> eventIds, List<KubeEventObserved> events, String window) implements Notification {
        public KubeEvents {
            eventIds = List.copyOf(eventIds);
            events = List.copyOf(events);
            if (events.isEmpty() || events.size() != eventIds.size()) {
                throw new IllegalArgumentException("Kubernetes events need one id per event, and at least one");
            }
        }

        @Override
        public List<ActionResult> results() {
            return List.of();
        }

        /** The newest event. */
        public KubeEventObserved latest() {
            return events.get(events.size() - 1);
        }
    }
}
