package dev.winch.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Outcome;
import dev.winch.common.runtime.Blocking;
import dev.winch.testkit.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The follow-up result of a clone, with the group's Nodes given by the test and a clock it moves. */
class JoinTrackerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private Vertx vertx;
    private final MutableClock clock = new MutableClock(NOW);
    private final Map<String, Boolean> nodes = new TreeMap<>(Map.of("old-1", true, "old-2", true));
    private final List<ActionResult> results = new CopyOnWriteArrayList<>();
    private JoinTracker tracker;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        Blocking blocking = new Blocking(vertx.createSharedWorkerExecutor("join-test", 1), Duration.ofSeconds(5));
        tracker = new JoinTracker(vertx, blocking, selector -> Map.copyOf(nodes), result -> {
            results.add(result);
            return Future.succeededFuture();
        }, clock, Duration.ofHours(1));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private JoinTracker.Expected expected(List<String> names, int count) {
        return new JoinTracker.Expected("evt-up", "dev.winch.host.scale.requested", "hosts-up", "pool=workers",
                Map.of("pool", "workers"), Set.of("old-1", "old-2"), names, count, NOW, NOW.plusSeconds(600),
                Map.of("action", "up"));
    }

    private void poll() throws Exception {
        tracker.poll().await(10, TimeUnit.SECONDS);
    }

    @Test
    void reportsOnceEveryNewHostJoinedAndIsReady() throws Exception {
        tracker.track(expected(List.of(), 2));
        poll();
        nodes.put("new-1", true);
        nodes.put("new-2", false);
        poll();
        assertThat(results).isEmpty();

        nodes.put("new-2", true);
        poll();

        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
            assertThat(result.causeId()).isEqualTo("evt-up");
            assertThat(result.reason()).isEqualTo("2 new host(s) joined group pool=workers and are Ready: new-1, "
                    + "new-2");
            assertThat(result.details()).containsEntry("stage", "join").containsEntry("ready", "new-1,new-2");
        });
        assertThat(tracker.size()).isZero();
    }

    @Test
    void failsWhenTheTimeoutPassesFirstSayingWhatIsMissing() throws Exception {
        tracker.track(expected(List.of(), 3));
        nodes.put("new-1", true);
        nodes.put("new-2", false);
        clock.advance(Duration.ofSeconds(599));
        poll();
        assertThat(results).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        poll();

        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(result.reason()).isEqualTo("within 600s only 1 of 3 new host(s) of group pool=workers "
                    + "became Ready (new-1); joined but not Ready: new-2; 1 never joined");
        });
    }

    @Test
    void onlyTheNamesAskedForCountWhenThereAreSome() throws Exception {
        tracker.track(expected(List.of("asked-1"), 1));
        nodes.put("someone-elses", true);
        poll();
        assertThat(results).isEmpty();

        nodes.put("asked-1", true);
        poll();
        assertThat(results).singleElement().extracting(ActionResult::outcome).isEqualTo(Outcome.APPLIED);
    }

    @Test
    void shutdownReportsWhatIsStillFollowed() throws Exception {
        tracker.track(expected(List.of(), 1));

        tracker.close().await(10, TimeUnit.SECONDS);

        assertThat(results).singleElement().extracting(ActionResult::outcome).isEqualTo(Outcome.SKIPPED);
    }
}
