package dev.winch.scaler;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.ServiceScaleRequested.WorkloadSelector;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.kafka.RecordPosition;
import dev.winch.kubernetes.LabelSelector;
import dev.winch.kubernetes.OptimisticUpdate;
import dev.winch.kubernetes.UpdateResult;
import dev.winch.scaler.kubernetes.HorizontalPodAutoscalers;
import dev.winch.scaler.kubernetes.Workload;
import dev.winch.scaler.kubernetes.Workloads;
import dev.winch.scaler.model.ScalePlan;
import dev.winch.scaler.model.ScaleResults;
import dev.winch.scaler.model.ScaleResults.Context;
import dev.winch.scaler.model.ScaleResults.Failure;
import dev.winch.scaler.model.WorkloadState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scales one target for a run of requests that share its partition key, as named steps: check the kind, read the
 * workload, check who else controls its replica count, plan, write the plan, and on a conflict read and plan again.
 * Returns one result per request (per request and workload, for a selector); never publishes them itself.
 *
 * <p><b>HorizontalPodAutoscalers: refused.</b> When an HPA's {@code scaleTargetRef} is the workload, the requests
 * fail with reason {@code hpa-managed} (detail {@code hpa}: its name) and nothing is changed. Setting
 * {@code spec.replicas} under an HPA is undone at its next sync (the flapping this service exists to prevent), and
 * quietly rewriting the HPA's minReplicas/maxReplicas would change a policy someone else owns, in a way that
 * outlives the alert that caused it. The failed result says what to do instead: change the HPA, or remove it so
 * the receiver can scale the workload. The same holds for any other controller: a workload with an owner reference
 * marked {@code controller: true} (a Deployment's ReplicaSet, an operator's StatefulSet) fails with
 * {@code controlled}.
 *
 * <p><b>Selectors.</b> A request that picks workloads by label scales every Deployment and StatefulSet of the
 * namespace that carries the labels, one after the other, each with its own plan and write, and reports one result
 * per request and workload ({@code target} is the workload; detail {@code selector} the selector). A selector that
 * matches nothing gives one failed result ({@code no-match}) per request, with the selector as target.
 *
 * <p>Failures of the API server itself (unreachable, 5xx, 401/403, a timeout, conflicts on every attempt) fail the
 * future: the consumer retries the batch with backoff and dead-letters it in the end. What was already written is
 * recognised by its ids on the retry and reported as a duplicate.
 */
final class TargetScaler {

    private static final Logger LOG = LoggerFactory.getLogger(TargetScaler.class);

    /**
     * Called after a plan was stored on the workload, before its results are published and the offsets committed.
     * A test hook: the worker "dies" here in the test of a crash between the Kubernetes write and the commit.
     */
    @FunctionalInterface
    interface AfterWrite {
        AfterWrite NONE = (ref, plan) -> Future.succeededFuture();

        Future<Void> written(WorkloadRef ref, ScalePlan plan);
    }

    /**
     * A run of conflicting writes to one workload outlasted {@link OptimisticUpdate#DEFAULT_MAX_ATTEMPTS}: left to the
     * consumer's retry with backoff.
     */
    static final class ConflictingWritesException extends RuntimeException {
        ConflictingWritesException(String message) {
            super(message);
        }
    }

    private final Workloads workloads;
    private final HorizontalPodAutoscalers autoscalers;
    private final Clock clock;
    private final String instance;
    private final AfterWrite afterWrite;
    private final Counter writes;
    private final Counter conflicts;

    TargetScaler(Workloads workloads, HorizontalPodAutoscalers autoscalers, Clock clock, String instance,
            MeterRegistry registry, AfterWrite afterWrite) {
        this.workloads = workloads;
        this.autoscalers = autoscalers;
        this.clock = clock;
        this.instance = instance;
        this.afterWrite = afterWrite;
        this.writes = Counter.builder("winch_scaler_writes_total")
                .description("Workload updates stored (each may fold several requests)").register(registry);
        this.conflicts = Counter.builder("winch_scaler_write_conflicts_total")
                .description("Workload updates refused with 409 and planned again").register(registry);
    }

    /** Scales what the requests name, not knowing where they were read: only their ids tell a repeat. */
    Future<List<ActionResult>> scale(List<Event<ServiceScaleRequested>> requests) {
        return scale(requests, List.of());
    }

    /**
     * Scales what the requests name. They share one partition key: one named workload, or one selector.
     * {@code positions.get(i)} is where request i was read (empty when not known): the highest offset is written
     * with the plan, so a redelivery of any of them is recognised.
     */
    Future<List<ActionResult>> scale(List<Event<ServiceScaleRequested>> requests, List<RecordPosition> positions) {
        ServiceScaleRequested first = requests.get(0).data();
        return first.target() != null
                ? scaleWorkload(first.target(), requests, positions, Optional.empty())
                : scaleSelected(first.selector(), requests, positions);
    }

    private Future<List<ActionResult>> scaleSelected(WorkloadSelector selector, List<Event<ServiceScaleRequested>> requests,
            List<RecordPosition> positions) {
        Instant started = clock.instant();
        return workloads.select(selector.namespace(), selector.labels()).compose(selected -> {
            if (selected.isEmpty()) {
                Context context = new Context(selector.key(), Optional.of(selector.key()), instance, started);
                return Future.succeededFuture(ScaleResults.failed(requests, context, Failure.NO_MATCH,
                        "no Deployment or StatefulSet in namespace " + selector.namespace() + " has the labels {"
                                + LabelSelector.ofReceiver(selector.labels()).describe() + "}; nothing was changed",
                        Map.of(), clock.instant()));
            }
            Future<List<ActionResult>> all = Future.succeededFuture(new ArrayList<>());
            for (Workload workload : selected) {
                all = all.compose(results -> scaleWorkload(workload.ref(), requests, positions,
                        Optional.of(selector.key()))
                        .map(more -> {
                            results.addAll(more);
                            return results;
                        }));
            }
            return all;
        });
    }

    private Future<List<ActionResult>> scaleWorkload(WorkloadRef ref, List<Event<ServiceScaleRequested>> requests,
            List<RecordPosition> positions, Optional<String> selector) {
        Context context = new Context(ref.key(), selector, instance, clock.instant());
        if (Workloads.scalable(ref.kind()).isEmpty()) {
            return failed(requests, context, Failure.NOT_SCALABLE, notScalable(ref), Map.of());
        }
        return workloads.get(ref).compose(found -> {
            if (found.isEmpty()) {
                return failed(requests, context, Failure.NOT_FOUND, ref.key() + " does not exist; nothing was changed",
                        Map.of());
            }
            Workload workload = found.get();
            if (workload.controller().isPresent()) {
                String owner = workload.controller().get();
                return failed(requests, context, Failure.CONTROLLED, ref.key() + " is controlled by " + owner
                        + ", which would undo a change to its replicas; scale " + owner + " instead. Nothing was "
                        + "changed", Map.of("controller", owner));
            }
            return autoscalers.managing(ref).compose(hpa -> hpa.isPresent()
                    ? failed(requests, context, Failure.HPA_MANAGED, ref.key() + " is scaled by the "
                            + "HorizontalPodAutoscaler " + hpa.get() + "; Winch does not fight it. Change the HPA's "
                            + "minReplicas/maxReplicas, or remove it to let this receiver scale the workload. Nothing "
                            + "was changed", Map.of("hpa", hpa.get()))
                    : planAndWrite(workload, requests, positions, context));
        });
    }

    /**
     * Folds the requests into one plan on the workload as read and writes it; on a conflict the workload is read and
     * the plan made again from what is there now (someone else's change to the count or the annotations is kept).
     */
    private Future<List<ActionResult>> planAndWrite(Workload workload, List<Event<ServiceScaleRequested>> requests,
            List<RecordPosition> positions, Context context) {
        WorkloadRef ref = workload.ref();
        return workloads.write(workload, current -> ScalePlan.fold(ref.key(),
                        WorkloadState.of(current.replicas(), current.annotations()), requests, positions,
                        clock.instant()))
                .compose(result -> {
                    ScalePlan plan = result.decision();
                    int refused = conflicts(result);
                    if (refused > 0) {
                        conflicts.increment(refused);
                        LOG.atInfo().addKeyValue("eventId", String.join(",", plan.recordedEventIds()))
                                .addKeyValue("target", ref.key())
                                .log("{} changed since it was read, {} write(s) refused with a conflict; read and "
                                        + "planned again each time", ref.key(), refused);
                    }
                    if (result instanceof UpdateResult.Written) {
                        writes.increment();
                        return afterWrite.written(ref, plan).map(v -> ScaleResults.planned(plan, requests, context,
                                result.attempts(), clock.instant()));
                    }
                    if (result instanceof UpdateResult.Unchanged) {
                        return Future.succeededFuture(ScaleResults.planned(plan, requests, context,
                                result.attempts(), clock.instant()));
                    }
                    if (result instanceof UpdateResult.Conflict) {
                        return Future.failedFuture(new ConflictingWritesException(ref.key() + " changed under "
                                + result.attempts() + " writes in a row; leaving it to a retry"));
                    }
                    if (result instanceof UpdateResult.Gone) {
                        return failed(requests, context, Failure.NOT_FOUND,
                                ref.key() + " was deleted while it was being scaled; nothing was changed", Map.of());
                    }
                    UpdateResult.Rejected<Workload, ScalePlan> rejected =
                            (UpdateResult.Rejected<Workload, ScalePlan>) result;
                    return failed(requests, context, Failure.REJECTED, "the API server rejected " + plan.to()
                            + " replicas for " + ref.key() + " (" + rejected.status() + "): " + rejected.message(),
                            Map.of("code", String.valueOf(rejected.status())));
                });
    }

    /**
     * The writes of an update that the API server refused with 409. Every write but the last conflicted (each was
     * followed by a read again); the last one did too when the update ended in conflicts, or when a plan made after
     * a conflict found nothing left to write. (A workload found deleted on the read again after a conflict counts
     * one short.)
     */
    private static int conflicts(UpdateResult<Workload, ScalePlan> result) {
        if (result instanceof UpdateResult.Conflict || result instanceof UpdateResult.Unchanged) {
            return result.attempts();
        }
        return Math.max(0, result.attempts() - 1);
    }

    private Future<List<ActionResult>> failed(List<Event<ServiceScaleRequested>> requests, Context context,
            Failure failure, String reason, Map<String, String> details) {
        return Future.succeededFuture(ScaleResults.failed(requests, context, failure, reason, details,
                clock.instant()));
    }

    private static String notScalable(WorkloadRef ref) {
        String why = ref.kind().equals("daemonset")
                ? "a daemonset runs one pod per eligible node and has no replica count"
                : "a " + ref.kind() + " cannot be scaled";
        return why + "; Winch scales deployments, statefulsets and replicasets. " + ref.key() + " was not changed";
    }
}
