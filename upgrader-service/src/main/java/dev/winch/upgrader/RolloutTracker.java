package dev.winch.upgrader;

import dev.winch.common.event.Outcome;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.runtime.Blocking;
import dev.winch.common.runtime.ResultReporter;
import dev.winch.kubernetes.UpdateResult;
import dev.winch.upgrader.kubernetes.Workload;
import dev.winch.upgrader.kubernetes.Workloads;
import dev.winch.upgrader.model.RollbackPlan;
import dev.winch.upgrader.model.Rollout;
import dev.winch.upgrader.model.RolloutObservation;
import dev.winch.upgrader.model.RolloutStatus;
import dev.winch.upgrader.model.UpgradeResults;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the rollouts upgrades started, after their events were committed, and publishes how each ended as a
 * second result ({@code details.stage = rollout}): completed (APPLIED), failed (FAILED, after a rollback when the
 * receiver asked for one), superseded or not followable (SKIPPED).
 *
 * <p>Why not in the handler: a rollout takes minutes and a handler holds its partition until it completes. Here a
 * timer reads each followed workload's status on the worker pool every poll interval, so the consumer moves on as
 * soon as the write is done.
 *
 * <p>What is followed lives in memory only. A rollout superseded by a newer upgrade of the same workload in this
 * process is reported at once; one superseded by any other change is seen from its pod template (not from its
 * generation, which a replica count changed by an HPA or {@code kubectl scale} bumps too). A status is read only
 * once the controller has observed the workload's current generation. On shutdown every rollout still followed
 * gets a SKIPPED result saying tracking stopped; after a crash they get none (the APPLIED result of the write is
 * already published, and Kubernetes finishes or fails the rollout on its own).
 */
final class RolloutTracker {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutTracker.class);

    private final Vertx vertx;
    private final Blocking blocking;
    private final Workloads workloads;
    private final ResultReporter results;
    private final Clock clock;
    private final Duration pollInterval;
    private final int maxTracked;
    private final MeterRegistry metrics;
    private final Map<String, Entry> tracked = new ConcurrentHashMap<>();
    private final AtomicBoolean polling = new AtomicBoolean();
    private volatile long timerId = -1;
    private volatile boolean closed;

    private static final class Entry {
        final Rollout rollout;
        final AtomicBoolean done = new AtomicBoolean();

        Entry(Rollout rollout) {
            this.rollout = rollout;
        }
    }

    RolloutTracker(Vertx vertx, Blocking blocking, Workloads workloads, ResultReporter results, Clock clock,
            Duration pollInterval, int maxTracked, MeterRegistry metrics) {
        this.vertx = vertx;
        this.blocking = blocking;
        this.workloads = workloads;
        this.results = results;
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.maxTracked = maxTracked;
        this.metrics = metrics;
        Gauge.builder("winch_upgrader_rollouts_tracked", tracked, Map::size).register(metrics);
    }

    /** Starts polling every poll interval. */
    void start() {
        timerId = vertx.setPeriodic(pollInterval.toMillis(), id -> poll());
    }

    /** How many rollouts are followed now. */
    int size() {
        return tracked.size();
    }

    /**
     * Follows a rollout. A rollout of the same workload already followed is superseded by it and reported so.
     * Completes once any result this causes is stored.
     */
    Future<Void> track(Rollout rollout) {
        String key = rollout.workload().key();
        if (closed) {
            return finish(new Entry(rollout), Outcome.SKIPPED, "rollout of " + key + " is not followed: the upgrader "
                    + "is shutting down", Map.of(), "untracked");
        }
        if (tracked.size() >= maxTracked && !tracked.containsKey(key)) {
            return finish(new Entry(rollout), Outcome.SKIPPED, "rollout of " + key + " is not followed: "
                    + maxTracked + " rollouts are followed already (WINCH_UPGRADER_MAX_TRACKED_ROLLOUTS)", Map.of(),
                    "untracked");
        }
        Entry previous = tracked.put(key, new Entry(rollout));
        if (previous != null) {
            return finish(previous, Outcome.SKIPPED, "rollout of " + key + " was superseded by event "
                    + rollout.eventId() + ", which changed it again", Map.of("supersededBy", rollout.eventId()),
                    "superseded");
        }
        return Future.succeededFuture();
    }

    /**
     * Reads the status of every followed workload once and reports those whose rollout ended. Overlapping calls
     * do nothing: a slow API server delays the next poll instead of piling reads up.
     */
    Future<Void> poll() {
        if (closed || !polling.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        List<Future<Void>> checks = new ArrayList<>();
        for (Entry entry : tracked.values()) {
            checks.add(check(entry));
        }
        return Future.join(checks).<Void>mapEmpty()
                .otherwiseEmpty()
                .onComplete(ar -> polling.set(false));
    }

    /** Stops polling and reports every rollout still followed as no longer followed. */
    Future<Void> close() {
        closed = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        List<Future<Void>> reports = new ArrayList<>();
        for (Entry entry : tracked.values()) {
            reports.add(finish(entry, Outcome.SKIPPED, "tracking of the rollout of " + entry.rollout.workload().key()
                    + " stopped: the upgrader shut down while it was in progress; it continues in the cluster "
                    + "(kubectl rollout status)", Map.of(), "abandoned"));
        }
        return Future.join(reports).<Void>mapEmpty().otherwiseEmpty();
    }

    private Future<Void> check(Entry entry) {
        Rollout rollout = entry.rollout;
        String key = rollout.workload().key();
        return blocking.call(() -> workloads.get(rollout.workload()).map(Workload::observe))
                .compose(observed -> {
                    if (observed.isEmpty()) {
                        return finish(entry, Outcome.SKIPPED, key + " was deleted during its rollout; it is no "
                                + "longer followed", Map.of(), "deleted");
                    }
                    return judge(entry, observed.get());
                }, error -> {
                    if (clock.instant().isBefore(rollout.deadline())) {
                        LOG.atWarn().addKeyValue("eventId", rollout.eventId()).addKeyValue("target", key)
                                .log("Could not read the rollout status ({}); trying again", error.toString());
                        return Future.succeededFuture();
                    }
                    return finish(entry, Outcome.FAILED, "rollout of " + key + " could not be followed to its end "
                            + "within " + rollout.timeout().toSeconds() + "s: " + error.getMessage(), Map.of(),
                            "failed");
                });
    }

    private Future<Void> judge(Entry entry, RolloutObservation observation) {
        Rollout rollout = entry.rollout;
        String key = rollout.workload().key();
        RolloutStatus status = rollout.status(observation, clock.instant());
        if (status instanceof RolloutStatus.InProgress progress) {
            LOG.atDebug().addKeyValue("eventId", rollout.eventId()).addKeyValue("target", key)
                    .log("Rollout in progress: {}", progress.progress());
            return Future.succeededFuture();
        }
        if (status instanceof RolloutStatus.Complete complete) {
            return finish(entry, Outcome.APPLIED, "rollout of " + key + " completed in "
                    + seconds(rollout) + "s: " + complete.summary(), Map.of(), "completed");
        }
        if (status instanceof RolloutStatus.Superseded superseded) {
            return finish(entry, Outcome.SKIPPED, "rollout of " + key + " was superseded: " + superseded.reason(),
                    Map.of(), "superseded");
        }
        if (status instanceof RolloutStatus.Untrackable untrackable) {
            return finish(entry, Outcome.SKIPPED, "rollout of " + key + " cannot be followed: "
                    + untrackable.reason(), Map.of(), "untracked");
        }
        String failure = ((RolloutStatus.Failed) status).reason();
        if (!rollout.rollbackOnFailure()) {
            return finish(entry, Outcome.FAILED, "rollout of " + key + " failed: " + failure, Map.of(), "failed");
        }
        if (entry.done.get()) {
            return Future.succeededFuture();
        }
        return blocking.call(() -> rollBack(rollout)).compose(
                rolledBack -> finish(entry, Outcome.FAILED, "rollout of " + key + " failed: " + failure + "; "
                        + rolledBack.sentence(), Map.of("rolledBack", String.valueOf(rolledBack.done())),
                        rolledBack.done() ? "rolled_back" : "failed"),
                error -> finish(entry, Outcome.FAILED, "rollout of " + key + " failed: " + failure
                        + "; the rollback could not be written: " + error.getMessage(),
                        Map.of("rolledBack", "false"), "failed"));
    }

    /** What a rollback did, in a sentence. */
    record Rollback(boolean done, String sentence) {
    }

    /**
     * Sets the previous images again on the workload as it is now, as the rollout's {@link RollbackPlan} says: only
     * while its pod template is still the upgrade's, and keeping every other change made since (a new replica
     * count). The write carries the resourceVersion it was read at; on a conflict the workload is read and the
     * rollback decided again. Blocking.
     */
    Rollback rollBack(Rollout rollout) {
        WorkloadRef ref = rollout.workload();
        Optional<Workload> found = workloads.get(ref);
        if (found.isEmpty()) {
            return new Rollback(false, "not rolled back: " + ref.key() + " no longer exists");
        }
        UpdateResult<Workload, RollbackPlan> update = workloads.rollBack(found.get(), rollout::rollback);
        if (update.attempts() > 1) {
            LOG.atDebug().addKeyValue("eventId", rollout.eventId()).addKeyValue("target", ref.key())
                    .log("The rollback conflicted with other changes; it was decided again {} times",
                            update.attempts() - 1);
        }
        if (update instanceof UpdateResult.Written) {
            return new Rollback(true, "rolled back to " + ((RollbackPlan.Restore) update.decision()).describe());
        }
        if (update instanceof UpdateResult.Unchanged) {
            return new Rollback(false, "not rolled back: " + ((RollbackPlan.Keep) update.decision()).reason());
        }
        if (update instanceof UpdateResult.Gone) {
            return new Rollback(false, "not rolled back: " + ref.key() + " no longer exists");
        }
        if (update instanceof UpdateResult.Conflict<Workload, RollbackPlan> conflict) {
            return new Rollback(false, "the rollback was refused (409): " + conflict.message());
        }
        UpdateResult.Rejected<Workload, RollbackPlan> rejected = (UpdateResult.Rejected<Workload, RollbackPlan>) update;
        return new Rollback(false, "the rollback was refused (" + rejected.status() + "): " + rejected.message());
    }

    private Future<Void> finish(Entry entry, Outcome outcome, String reason, Map<String, String> details,
            String metric) {
        if (!entry.done.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        tracked.remove(entry.rollout.workload().key(), entry);
        metrics.counter("winch_upgrader_rollouts_total", "outcome", metric).increment();
        return results.report(UpgradeResults.forRollout(entry.rollout, outcome, reason, details, clock.instant()))
                .onFailure(error -> LOG.atWarn().addKeyValue("eventId", entry.rollout.eventId())
                        .addKeyValue("target", entry.rollout.workload().key())
                        .log("The rollout outcome could not be published ({}): {}", error.toString(), reason));
    }

    private long seconds(Rollout rollout) {
        return Duration.between(rollout.startedAt(), clock.instant()).toSeconds();
    }

    /** The rollouts followed now (for tests and diagnostics). */
    List<Rollout> followed() {
        return tracked.values().stream().map(e -> e.rollout).toList();
    }
}
