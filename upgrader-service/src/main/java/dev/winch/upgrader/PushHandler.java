package dev.winch.upgrader;

import dev.winch.common.event.Event;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.Outcome;
import dev.winch.common.runtime.Blocking;
import dev.winch.common.runtime.ResultReporter;
import dev.winch.upgrader.ImageUpgrader.WorkloadOutcome;
import dev.winch.kubernetes.LabelSelector;
import dev.winch.upgrader.kubernetes.Workload;
import dev.winch.upgrader.kubernetes.Workloads;
import dev.winch.upgrader.model.UpgradeRequest;
import dev.winch.upgrader.model.UpgradeResults;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the upgrader does with one image push, as a chain of steps: check the push, find the workloads, upgrade
 * each, publish each result, follow each rollout started.
 *
 * <p>A push is checked first ({@link UpgradeRequest#check}): bad input gets a failed result, a tag the receiver's
 * policy does not take a skipped one. The seed 001 style names its workload; the Rancher 1.x style lists the
 * Deployments, StatefulSets and DaemonSets its selector matches and upgrades them a pool's width at a time. Every
 * workload gets its own result. If the API server cannot be reached for some, the results of the others are
 * published and the returned future fails, so the event is retried: the workloads already changed carry its id
 * and report a duplicate.
 *
 * <p>Runs on an event loop; every Kubernetes call goes to the worker pool.
 */
final class PushHandler {

    private final Blocking blocking;
    private final Workloads workloads;
    private final ImageUpgrader upgrader;
    private final ResultReporter results;
    private final RolloutTracker tracker;
    private final Clock clock;
    private final Duration defaultRolloutTimeout;
    private final int width;

    /**
     * @param width how many workloads are upgraded at once (the worker pool's size)
     */
    PushHandler(Blocking blocking, Workloads workloads, ResultReporter results, RolloutTracker tracker,
            Clock clock, Duration defaultRolloutTimeout, int width) {
        this.blocking = blocking;
        this.workloads = workloads;
        this.upgrader = new ImageUpgrader(workloads, clock);
        this.results = results;
        this.tracker = tracker;
        this.clock = clock;
        this.defaultRolloutTimeout = defaultRolloutTimeout;
        this.width = Math.max(1, width);
    }

    /** Completes once every result is stored; fails when the event should be retried. */
    Future<Void> handle(Event<ImagePushed> event) {
        ImagePushed push = event.data();
        Instant started = clock.instant();
        String type = event.type().type();
        UpgradeRequest.Check check = UpgradeRequest.check(event.id(), push, defaultRolloutTimeout);
        if (check instanceof UpgradeRequest.Invalid invalid) {
            return results.report(UpgradeResults.forPush(event.id(), type, push, Outcome.FAILED, invalid.reason(),
                    started, clock.instant()));
        }
        if (check instanceof UpgradeRequest.NotTaken notTaken) {
            return results.report(UpgradeResults.forPush(event.id(), type, push, Outcome.SKIPPED,
                    notTaken.reason(), started, clock.instant()));
        }
        UpgradeRequest request = ((UpgradeRequest.Valid) check).request();
        if (request.explicit()) {
            return blocking.call(() -> upgrader.upgrade(request, type, push.target().workload(), started))
                    .compose(this::publish);
        }
        return blocking.call(() -> workloads.select(push.target().namespaces(), push.target().selector()))
                .compose(found -> found.isEmpty()
                        ? results.report(UpgradeResults.forPush(event.id(), type, push, Outcome.NOOP,
                                "no Deployment, StatefulSet or DaemonSet in " + namespaces(push) + " matches "
                                        + "selector " + LabelSelector.ofReceiver(push.target().selector()).describe()
                                        + "; nothing changed", started, clock.instant()))
                        : upgradeAll(request, type, found, started));
    }

    /**
     * Upgrades the workloads {@code width} at a time (the worker pool bounds the calls anyway; waves keep a thousand
     * queued calls from running into the blocking timeout), publishing each wave's results before the next.
     */
    private Future<Void> upgradeAll(UpgradeRequest request, String type, List<Workload> found, Instant started) {
        Future<Void> chain = Future.succeededFuture();
        List<Throwable> errors = new ArrayList<>();
        for (int from = 0; from < found.size(); from += width) {
            List<Workload> wave = found.subList(from, Math.min(found.size(), from + width));
            chain = chain.compose(v -> {
                List<Future<WorkloadOutcome>> calls = wave.stream()
                        .map(w -> blocking.call(() -> upgrader.upgrade(request, type, w, started)))
                        .toList();
                return Future.join(calls).otherwiseEmpty().compose(x -> {
                    List<Future<Void>> published = new ArrayList<>();
                    for (Future<WorkloadOutcome> call : calls) {
                        if (call.succeeded()) {
                            published.add(publish(call.result()));
                        } else {
                            errors.add(call.cause());
                        }
                    }
                    return Future.all(published).mapEmpty();
                });
            });
        }
        return chain.compose(v -> errors.isEmpty() ? Future.succeededFuture() : Future.failedFuture(errors.get(0)));
    }

    /** Publishes a workload's result; then, once it is stored, follows the rollout it started. */
    private Future<Void> publish(WorkloadOutcome outcome) {
        return results.report(outcome.result())
                .compose(v -> outcome.rollout() == null ? Future.succeededFuture() : tracker.track(outcome.rollout()));
    }

    private static String namespaces(ImagePushed push) {
        List<String> namespaces = push.target().namespaces();
        return namespaces.isEmpty() ? "any namespace" : "namespace" + (namespaces.size() > 1 ? "s " : " ")
                + String.join(", ", namespaces);
    }
}
