package dev.winch.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.Event;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.gateway.status.EventStatusStore.EventStatus;
import dev.winch.gateway.status.EventStatusStore.Filter;
import dev.winch.gateway.status.EventStatusStore.RequestInfo;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The status store without Kafka: it is not started, only fed; also as the HTTP server instances use it, each
 * recording and asking from its own thread at once.
 */
class EventStatusStoreTest {

    private static final RequestInfo REQUEST = new RequestInfo("10.0.0.1", "curl/8", null, 0, "token-query");

    private final Vertx vertx = Vertx.vertx();
    private final EventStatusStore store = new EventStatusStore(vertx, KafkaClientSettings.plaintext("unused:9092"),
            100);

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private Event<ServiceScaleRequested> accept(String receiver, String workload) {
        ServiceScaleRequested data = new ServiceScaleRequested(receiver,
                new WorkloadRef("demo", "deployment", workload), ScaleAction.UP, 1, 1, 5, 0);
        Event<ServiceScaleRequested> event = new Event<>(UUID.randomUUID().toString(),
                URI.create("/winch/gateway/hooks/" + receiver), Instant.now(), data);
        store.accepted(event, event.key(), REQUEST);
        return event;
    }

    @Test
    void listsNewestFirstAndFilters() {
        String a = accept("r1", "web").id();
        String b = accept("r2", "api").id();
        String c = accept("r1", "web").id();

        assertThat(store.newest(new Filter(null, null, null), 10)).extracting(EventStatus::eventId)
                .containsExactly(c, b, a);
        assertThat(store.newest(new Filter("r1", null, null), 10)).extracting(EventStatus::eventId)
                .containsExactly(c, a);
        assertThat(store.newest(new Filter(null, null, "demo/deployment/api"), 10)).extracting(EventStatus::eventId)
                .containsExactly(b);
        assertThat(store.newest(new Filter(null, "applied", null), 10)).isEmpty();
        assertThat(store.newest(new Filter(null, "accepted", null), 2)).hasSize(2);
    }

    @Test
    void theLastDeliveryOfAReceiverIsItsNewestEventUntilThatIsForgotten() {
        String first = accept("keep", "web").id();
        assertThat(store.lastDelivery("keep")).map(EventStatus::eventId).hasValue(first);

        for (int i = 0; i < 100; i++) {
            accept("others", "web");
        }

        assertThat(store.lastDelivery("keep")).isEmpty();
    }

    @Test
    void listenersHearEveryAcceptedEventUntilRemoved() {
        List<String> heard = new ArrayList<>();
        Runnable remove = store.onChange(event -> heard.add(event.eventId()));
        String one = accept("r1", "web").id();
        remove.run();
        accept("r1", "web");

        assertThat(heard).containsExactly(one);
        assertThat(store.listeners()).isZero();
    }

    @Test
    void eventsRecordedFromSeveralThreadsAtOnceAreAllKeptAndFound() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        EventStatusStore shared = new EventStatusStore(vertx, KafkaClientSettings.plaintext("unused:9092"),
                threads * perThread);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<List<String>>> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            running.add(CompletableFuture.supplyAsync(() -> {
                List<String> ids = new ArrayList<>();
                awaitQuietly(go);
                for (int i = 0; i < perThread; i++) {
                    Event<ServiceScaleRequested> event = new Event<>(UUID.randomUUID().toString(),
                            URI.create("/winch/gateway/hooks/web-up"), Instant.now(), new ServiceScaleRequested(
                            "web-up", new WorkloadRef("demo", "deployment", "web"), ScaleAction.UP, 1, 1, 9, 0));
                    shared.accepted(event, event.key(), REQUEST);
                    ids.add(event.id());
                    // Readers and writers interleave, as status requests do with accepted events.
                    assertThat(shared.find(ids.get(i / 2))).isPresent();
                    shared.newest(new Filter("web-up", null, null), 5);
                }
                return ids;
            }, runnable -> new Thread(runnable).start()));
        }
        go.countDown();

        List<String> all = new ArrayList<>();
        for (CompletableFuture<List<String>> thread : running) {
            all.addAll(thread.get(60, TimeUnit.SECONDS));
        }
        assertThat(all).hasSize(threads * perThread).allSatisfy(id ->
                assertThat(shared.find(id)).hasValueSatisfying(status -> {
                    assertThat(status.target()).isEqualTo("demo/deployment/web");
                    assertThat(status.acceptedHere()).isTrue();
                }));
        assertThat(shared.newest(new Filter(null, null, null), threads * perThread + 1)).hasSize(threads * perThread);
    }

    @Test
    void statusesAreImmutableSoAReaderNeverSeesAResultListGrowUnderIt() {
        String id = UUID.randomUUID().toString();
        EventStatus searched = new EventStatus(id, "dev.winch.service.scale.requested", "web-up",
                "demo/deployment/web", Instant.now(), new ArrayList<>());

        EventStatus remembered = store.remember(searched);

        assertThat(store.find(id)).contains(remembered);
        assertThat(remembered.results()).isUnmodifiable();
    }

    @Test
    void aListenerIsCalledOnTheContextItWasRegisteredFrom() throws Exception {
        Context streaming = vertx.getOrCreateContext();
        CompletableFuture<Thread> calledOn = new CompletableFuture<>();
        CompletableFuture<Thread> registeredOn = new CompletableFuture<>();
        streaming.runOnContext(v -> {
            store.onChange(event -> calledOn.complete(Thread.currentThread()));
            registeredOn.complete(Thread.currentThread());
        });
        Thread expected = registeredOn.get(10, TimeUnit.SECONDS);

        // Accepted on another thread, as on another HTTP server instance's event loop.
        accept("r1", "web");

        assertThat(calledOn.get(10, TimeUnit.SECONDS)).isSameAs(expected);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
