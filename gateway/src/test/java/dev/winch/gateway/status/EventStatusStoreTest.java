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
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listing side of the status store, without Kafka: it is not started, only fed. */
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
}
