package dev.winch.gateway.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.EventCodec;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.EventPublisher;
import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.JsonBodies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a replica serves while its follower of {@code winch.receivers} is behind its own writes: the records the
 * follower reads later must not bring back a receiver deleted here, or an older version of one changed here.
 */
class ReceiverStoreTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

    private final Vertx vertx = Vertx.vertx();
    private final ReceiverRegistry registry = new ReceiverRegistry(new ReceiverSpec.RateLimit(10, 10), CLOCK);
    // The follower is never started: the test hands it the records it would read.
    private final ReceiverStore store = new ReceiverStore(vertx, KafkaClientSettings.plaintext("127.0.0.1:9"),
            registry, EventPublisher.discarding(vertx, new EventCodec(), new SimpleMeterRegistry()));

    @AfterEach
    void tearDown() {
        vertx.close();
    }

    @Test
    void aReceiverDeletedHereStaysDeletedWhileTheFollowerReadsOlderRecords() throws Exception {
        ReceiverSpec created = spec("web-up", 3);
        store.apply(record(0, created));
        assertThat(registry.find("web-up")).isPresent();

        store.wrote("web-up", 2, () -> registry.remove("web-up"));
        store.apply(record(0, created));
        store.apply(record(1, spec("web-up", 5)));

        assertThat(registry.find("web-up")).as("deleted at offset 2, records 0 and 1 read after").isEmpty();

        store.apply(tombstone(2, "web-up"));
        store.apply(record(3, spec("web-up", 7)));
        assertThat(registry.find("web-up")).as("created again at offset 3, by any replica").isPresent();
        assertThat(registry.find("web-up").get().spec().scaleService().max()).isEqualTo(7);
    }

    @Test
    void aReceiverChangedHereKeepsItsNewVersionWhileTheFollowerReadsTheOldOne() throws Exception {
        store.apply(record(4, spec("web-up", 3)));
        ReceiverSpec changed = spec("web-up", 9);

        store.wrote("web-up", 6, () -> registry.put(changed));
        store.apply(record(4, spec("web-up", 3)));
        store.apply(record(5, spec("web-up", 4)));

        assertThat(registry.find("web-up").get().spec().scaleService().max()).isEqualTo(9);

        store.apply(record(6, changed));
        store.apply(record(7, spec("web-up", 11)));
        assertThat(registry.find("web-up").get().spec().scaleService().max())
                .as("a later write read by the follower applies").isEqualTo(11);
    }

    @Test
    void anAcknowledgementLaterThanTheFollowerDoesNotUndoANewerWriteOfAnotherReplica() throws Exception {
        store.apply(record(8, spec("web-up", 3)));
        store.apply(record(9, spec("web-up", 4)));
        store.apply(record(10, spec("web-up", 13)));

        // This replica's write is offset 9; its acknowledgement arrives after the follower read 10.
        store.wrote("web-up", 9, () -> registry.put(spec("web-up", 4)));

        assertThat(registry.find("web-up").get().spec().scaleService().max()).isEqualTo(13);
        store.apply(record(11, spec("web-up", 15)));
        assertThat(registry.find("web-up").get().spec().scaleService().max()).isEqualTo(15);
    }

    private static ReceiverSpec spec(String id, int max) {
        String json = """
                {"id":"%s","kind":"scaleService","token":"token-of-%s","scaleService":{"namespace":"demo",
                 "workload":"deployment/web","action":"up","amount":1,"min":1,"max":%d}}
                """.formatted(id, id, max);
        try {
            return ReceiverValidator.validate(JsonBodies.readObject(json.getBytes(StandardCharsets.UTF_8)), null, null,
                    "api", CLOCK.instant()).spec();
        } catch (InvalidPayloadException e) {
            throw new IllegalStateException(e.errors().toString(), e);
        }
    }

    private static ConsumerRecord<String, byte[]> record(long offset, ReceiverSpec spec) throws Exception {
        return new ConsumerRecord<>(Topics.RECEIVERS, 0, offset, spec.id(),
                EventCodec.mapper().writeValueAsBytes(spec));
    }

    private static ConsumerRecord<String, byte[]> tombstone(long offset, String id) {
        return new ConsumerRecord<>(Topics.RECEIVERS, 0, offset, id, null);
    }
}
