package dev.winch.notifier.events.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.KubeEventObserved;
import dev.winch.common.runtime.Blocking;
import io.fabric8.kubernetes.api.model.Event;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How one watch publishes what it lists and watches: several events on their way to the broker at once, each marked
 * published only when acknowledged, and one whose publication failed sent again (and only that one).
 */
class EventsWatchPublishTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Vertx vertx = Vertx.vertx();
    private EventsCluster cluster;
    private EventsWatch watch;
    private Context context;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new EventsCluster();
        context = vertx.getOrCreateContext();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (watch != null) {
            context.runOnContext(v -> watch.stop());
        }
        cluster.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFailedPublicationIsRetriedAloneAndEveryEventIsAcknowledgedOnce() {
        List<Event> before = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            before.add(cluster.createEvent("web-" + (i % 4)));
        }
        String failOnce = before.get(10).getMetadata().getUid();
        Set<String> failed = ConcurrentHashMap.newKeySet();
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        List<String> attempts = new CopyOnWriteArrayList<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        // A broker that acknowledges 20 ms later, and refuses the first attempt of one event.
        watch = new EventsWatch("demo", Optional.of(EventsCluster.NAMESPACE), cluster.newClient(), vertx, context,
                new Blocking(vertx.createSharedWorkerExecutor("events-watch-test", 2), Duration.ofSeconds(10)),
                new PublishedLedger(Map.of("demo", 0L), List.of(), 0, 10_000),
                (event, through) -> publish(event, failOnce, failed, acknowledged, attempts, inFlight, mostInFlight),
                new EventsWatchMetrics(new SimpleMeterRegistry()));
        context.runOnContext(v -> watch.start());

        await().atMost(WAIT).until(() -> acknowledged.size() >= 40);
        List<Event> after = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            after.add(cluster.createEvent("web-" + (i % 4)));
        }
        await().atMost(WAIT).until(() -> acknowledged.size() >= 50);

        List<String> expected = new ArrayList<>();
        before.forEach(e -> expected.add(e.getMetadata().getUid()));
        after.forEach(e -> expected.add(e.getMetadata().getUid()));
        assertThat(acknowledged).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(attempts).filteredOn(failOnce::equals).hasSize(2);
        assertThat(attempts).hasSize(51);
        assertThat(mostInFlight.get()).as("events on their way at once").isGreaterThan(1);
        await().atMost(WAIT).until(() -> onContext(watch::caughtUp));
    }

    private Future<?> publish(KubeEventObserved event, String failOnce, Set<String> failed, List<String> acknowledged,
            List<String> attempts, AtomicInteger inFlight, AtomicInteger mostInFlight) {
        attempts.add(event.uid());
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        Promise<Void> ack = Promise.promise();
        vertx.setTimer(20, id -> {
            inFlight.decrementAndGet();
            if (event.uid().equals(failOnce) && failed.add(event.uid())) {
                ack.fail(new IllegalStateException("broker unavailable"));
            } else {
                acknowledged.add(event.uid());
                ack.complete();
            }
        });
        return ack.future();
    }

    private boolean onContext(java.util.function.BooleanSupplier check) throws Exception {
        Promise<Boolean> answer = Promise.promise();
        context.runOnContext(v -> answer.complete(check.getAsBoolean()));
        return answer.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
