package dev.winch.host;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Outcome;
import dev.winch.common.runtime.Blocking;
import dev.winch.common.runtime.ResultReporter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows clones after their request was answered, and publishes whether the new hosts joined the group and became
 * Ready within the join timeout as a second result ({@code details.stage = join}): APPLIED when they all did,
 * FAILED when the timeout passed first (saying which joined and which are not Ready), SKIPPED on shutdown.
 *
 * <p>A new host is a Node of the group that was not in it when the clone was asked for (and, for the exec provider,
 * carries one of the names asked for). Why not in the handler: a machine takes minutes to boot, and a handler holds
 * its partition until it completes. What is followed lives in memory only: after a crash, the clone's own result is
 * published and the follow-up is not.
 */
final class JoinTracker {

    private static final Logger LOG = LoggerFactory.getLogger(JoinTracker.class);

    /**
     * A clone to follow.
     *
     * @param baseline the group's Nodes when the clone was asked for
     * @param names    the names asked for (exec); empty when the provider names the hosts (Cluster API)
     */
    record Expected(String eventId, String causeType, String receiverId, String group, Map<String, String> selector,
            Set<String> baseline, List<String> names, int count, Instant startedAt, Instant deadline,
            Map<String, String> details) {
        Expected {
            Objects.requireNonNull(eventId, "eventId");
            baseline = Set.copyOf(baseline);
            names = List.copyOf(names);
            details = Map.copyOf(details);
        }
    }

    private final Vertx vertx;
    private final Blocking blocking;
    private final Function<Map<String, String>, Map<String, Boolean>> readiness;
    private final ResultReporter results;
    private final Clock clock;
    private final Duration pollInterval;
    private final Map<String, Expected> tracked = new ConcurrentHashMap<>();
    private final AtomicBoolean polling = new AtomicBoolean();
    private volatile long timerId = -1;
    private volatile boolean closed;

    /** @param readiness the group's Nodes and whether each is Ready; blocking, run on the worker pool */
    JoinTracker(Vertx vertx, Blocking blocking, Function<Map<String, String>, Map<String, Boolean>> readiness,
            ResultReporter results, Clock clock, Duration pollInterval) {
        this.vertx = vertx;
        this.blocking = blocking;
        this.readiness = readiness;
        this.results = results;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    void start() {
        timerId = vertx.setPeriodic(pollInterval.toMillis(), id -> poll());
    }

    int size() {
        return tracked.size();
    }

    void track(Expected expected) {
        if (!closed) {
            tracked.put(expected.eventId(), expected);
        }
    }

    /** Reads every followed group once and reports the clones that are done or out of time. */
    Future<Void> poll() {
        if (closed || !polling.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        List<Future<Void>> checks = new ArrayList<>();
        for (Expected expected : List.copyOf(tracked.values())) {
            checks.add(check(expected));
        }
        return Future.join(checks).<Void>mapEmpty().otherwiseEmpty().onComplete(ar -> polling.set(false));
    }

    /** Stops following; every clone still followed gets a SKIPPED result. */
    Future<Void> close() {
        closed = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        List<Future<Void>> reports = new ArrayList<>();
        for (Expected expected : List.copyOf(tracked.values())) {
            reports.add(finish(expected, Outcome.SKIPPED, "the hosts cloned for group " + expected.group()
                    + " are no longer followed: the host service shut down before they joined", Map.of()));
        }
        return Future.join(reports).<Void>mapEmpty().otherwiseEmpty();
    }

    private Future<Void> check(Expected expected) {
        return blocking.call(() -> readiness.apply(expected.selector())).compose(nodes -> {
            Set<String> joined = new TreeSet<>();
            Set<String> ready = new TreeSet<>();
            nodes.forEach((name, isReady) -> {
                if (!expected.baseline().contains(name)
                        && (expected.names().isEmpty() || expected.names().contains(name))) {
                    joined.add(name);
                    if (isReady) {
                        ready.add(name);
                    }
                }
            });
            Map<String, String> details = Map.of("joined", String.join(",", joined), "ready",
                    String.join(",", ready));
            if (ready.size() >= expected.count()) {
                return finish(expected, Outcome.APPLIED, expected.count() + " new host(s) joined group "
                        + expected.group() + " and are Ready: " + String.join(", ", ready), details);
            }
            if (!clock.instant().isBefore(expected.deadline())) {
                Set<String> notReady = new TreeSet<>(joined);
                notReady.removeAll(ready);
                return finish(expected, Outcome.FAILED, "within " + Duration.between(expected.startedAt(),
                        expected.deadline()).toSeconds() + "s only " + ready.size() + " of " + expected.count()
                        + " new host(s) of group " + expected.group() + " became Ready"
                        + (ready.isEmpty() ? "" : " (" + String.join(", ", ready) + ")")
                        + (notReady.isEmpty() ? "" : "; joined but not Ready: " + String.join(", ", notReady))
                        + (joined.size() < expected.count() ? "; " + (expected.count() - joined.size())
                                + " never joined" : ""), details);
            }
            return Future.succeededFuture();
        }, error -> {
            LOG.atWarn().addKeyValue("eventId", expected.eventId()).addKeyValue("target", expected.group())
                    .log("Could not read the group to follow its clones ({}); trying again", error.toString());
            return Future.succeededFuture();
        });
    }

    private Future<Void> finish(Expected expected, Outcome outcome, String reason, Map<String, String> more) {
        if (tracked.remove(expected.eventId()) == null && !closed) {
            return Future.succeededFuture();
        }
        Map<String, String> details = new LinkedHashMap<>(expected.details());
        details.putAll(more);
        details.put("stage", "join");
        details.put("expected", String.valueOf(expected.count()));
        return results.report(new ActionResult(expected.eventId(), expected.causeType(), expected.receiverId(),
                expected.group(), outcome, reason, details, expected.startedAt(), clock.instant(), "host"));
    }
}
