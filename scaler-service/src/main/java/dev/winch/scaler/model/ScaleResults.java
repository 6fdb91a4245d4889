package dev.winch.scaler.model;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ServiceScaleRequested;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a plan (or a reason nothing could be planned) into one {@link ActionResult} per request: results are looked
 * up by event id downstream, so a folded write still reports every request on its own, each listing the ids folded
 * into the write ({@code foldedEventIds}).
 *
 * <p>Details every scaler result carries: {@code action}, {@code amount}, {@code min}, {@code max},
 * {@code cooldownSeconds}, {@code instance} (the scaler replica), {@code waitedMs} (event time to start of work),
 * {@code selector} (when the request named workloads by label). Planned results add {@code from}, {@code to} (this
 * request's step), {@code clamped}, {@code replicasBefore}, {@code replicasAfter} (the whole write),
 * {@code foldedEventIds}, {@code foldedCount}, {@code attempts} (writes tried, more than 1 after a conflict), and
 * {@code wanted} or {@code lastScaledAt}/{@code cooldownUntil}. Failed results add {@code failure}, a
 * {@link Failure} code in kebab case.
 */
public final class ScaleResults {

    /** The {@code worker} of every scaler result. */
    public static final String WORKER = "scaler";

    /** Why nothing could be planned for a target. */
    public enum Failure {
        /** The named workload does not exist (or was deleted while being scaled). */
        NOT_FOUND,
        /** The kind has no replica count Winch may set (DaemonSet, anything unknown). */
        NOT_SCALABLE,
        /** A HorizontalPodAutoscaler owns the replica count. */
        HPA_MANAGED,
        /** Another controller owns the workload (a ReplicaSet of a Deployment, an operator's StatefulSet). */
        CONTROLLED,
        /** The API server refused the write as invalid. */
        REJECTED,
        /** A label selector matched no Deployment or StatefulSet. */
        NO_MATCH;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * Where the results are about.
     *
     * @param target    the workload key ({@code namespace/kind/name})
     * @param selector  the selector key when the requests picked the workload by label
     * @param instance  this scaler replica
     * @param startedAt when work on the target started
     */
    public record Context(String target, Optional<String> selector, String instance, Instant startedAt) {
        public Context {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(selector, "selector");
            Objects.requireNonNull(startedAt, "startedAt");
        }
    }

    private ScaleResults() {
    }

    /** One result per request of the plan; {@code events} are the plan's requests, in the same order. */
    public static List<ActionResult> planned(ScalePlan plan, List<Event<ServiceScaleRequested>> events,
            Context context, int attempts, Instant finishedAt) {
        if (plan.steps().size() != events.size()) {
            throw new IllegalArgumentException("a plan of " + plan.steps().size() + " steps for "
                    + events.size() + " events");
        }
        List<String> folded = plan.recordedEventIds();
        List<ActionResult> results = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            Event<ServiceScaleRequested> event = events.get(i);
            ScaleStep step = plan.steps().get(i);
            Map<String, String> details = common(event, context);
            details.put("from", String.valueOf(step.from()));
            details.put("to", String.valueOf(step.to()));
            details.put("clamped", String.valueOf(step.clamped()));
            details.put("replicasBefore", String.valueOf(plan.from()));
            details.put("replicasAfter", String.valueOf(plan.to()));
            if (step.decision().recorded()) {
                details.put("foldedEventIds", String.join(",", folded));
                details.put("foldedCount", String.valueOf(folded.size()));
            }
            details.put("attempts", String.valueOf(attempts));
            details.putAll(step.details());
            results.add(result(event, context, step.outcome(), step.reason(), details, finishedAt));
        }
        return results;
    }

    /** The same failure for every request: nothing was changed. */
    public static List<ActionResult> failed(List<Event<ServiceScaleRequested>> events, Context context,
            Failure failure, String reason, Map<String, String> extra, Instant finishedAt) {
        return events.stream().map(event -> {
            Map<String, String> details = common(event, context);
            details.put("failure", failure.code());
            details.putAll(extra);
            return result(event, context, Outcome.FAILED, reason, details, finishedAt);
        }).toList();
    }

    private static Map<String, String> common(Event<ServiceScaleRequested> event, Context context) {
        ServiceScaleRequested request = event.data();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("action", request.action().name().toLowerCase(java.util.Locale.ROOT));
        details.put("amount", String.valueOf(request.amount()));
        details.put("min", String.valueOf(request.min()));
        details.put("max", String.valueOf(request.max()));
        details.put("cooldownSeconds", String.valueOf(request.cooldownSeconds()));
        details.put("instance", context.instance());
        details.put("waitedMs", String.valueOf(Math.max(0,
                Duration.between(event.time(), context.startedAt()).toMillis())));
        context.selector().ifPresent(selector -> details.put("selector", selector));
        return details;
    }

    private static ActionResult result(Event<ServiceScaleRequested> event, Context context, Outcome outcome,
            String reason, Map<String, String> details, Instant finishedAt) {
        return new ActionResult(event.id(), event.type().type(), event.data().receiverId(), context.target(),
                outcome, reason, details, context.startedAt(), finishedAt, WORKER);
    }
}
