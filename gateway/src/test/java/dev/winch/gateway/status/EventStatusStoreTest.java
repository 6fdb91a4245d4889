package dev.winch.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.Event;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.kafka.KafkaClientSettings;
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

/** The store as the HTTP server instances use it: each records and asks from its own event loop, at once. */
class EventStatusStoreTest {

    private static final int THREADS = 4;
    private static final int PER_THREAD = 5_000;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void eventsRecordedFromSeveralThreadsAtOnceAreAllKeptAndFound() throws Exception {
        // Never started: nothing is followed, only what the threads record is in it.
        EventStatusStore store = new EventStatusStore(vertx, KafkaClientSettings.plaintext("127.0.0.1:9"),
                THREADS * PER_THREAD);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<List<String>>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            threads.add(CompletableFuture.supplyAsync(() -> {
                List<String> ids = new ArrayList<>();
                await(go);
                for (int i = 0; i < PER_THREAD; i++) {
                    Event<ServiceScaleRequested> event = event();
                    store.accepted(event);
                    ids.add(event.id());
                    // Readers and writers interleave, as a status request does with accepted events.
                    assertThat(store.find(ids.get(i / 2))).isPresent();
                }
                return ids;
            }, runnable -> new Thread(runnable).start()));
        }
        go.countDown();

        List<String> all = new ArrayList<>();
        for (CompletableFuture<List<String>> thread : threads) {
            all.addAll(thread.get(60, TimeUnit.SECONDS));
        }
        assertThat(all).hasSize(THREADS * PER_THREAD).allSatisfy(id ->
                assertThat(store.find(id)).hasValueSatisfying(status -> {
                    assertThat(status.receiverId()).isEqualTo("web-up");
                    assertThat(status.target()).isEqualTo("demo/deployment/web");
                    assertThat(status.results()).isEmpty();
                }));
    }

    @Test
    void statusesAreImmutableSoAReaderNeverSeesAResultListGrowUnderIt() {
        EventStatusStore store = new EventStatusStore(vertx, KafkaClientSettings.plaintext("127.0.0.1:9"), 100);
        String id = UUID.randomUUID().toString();
        EventStatusStore.EventStatus searched = new EventStatusStore.EventStatus(id, "dev.winch.service.scale.requested",
                "web-up", "demo/deployment/web", Instant.now(), new ArrayList<>());

        EventStatusStore.EventStatus remembered = store.remember(searched);

        assertThat(remembered).isEqualTo(searched);
        assertThat(store.find(id)).contains(searched);
        assertThat(remembered.results()).isUnmodifiable();
    }

    private static Event<ServiceScaleRequested> event() {
        return new Event<>(UUID.randomUUID().toString(), URI.create("/winch/gateway/hooks/web-up"), Instant.now(),
                new ServiceScaleRequested("web-up", new WorkloadRef("demo", "deployment", "web"), ScaleAction.UP, 1, 1,
                        9, 0));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
