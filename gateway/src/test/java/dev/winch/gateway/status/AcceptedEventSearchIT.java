package dev.winch.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.event.WorkloadRef;
import dev.winch.gateway.GatewayTopics;
import dev.winch.gateway.receiver.Receiver;
import dev.winch.gateway.status.EventStatusStore.EventStatus;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.WithKafka;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The on-demand search for an event another replica accepted, against a real broker. */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcceptedEventSearchIT {

    /** Two records per partition of each three-partition command topic. */
    private static final int DEPTH = 6;

    private final Vertx vertx = Vertx.vertx();
    private final EventCodec codec = new EventCodec();
    private String bootstrap;
    private KafkaProducer<String, byte[]> producer;
    private AcceptedEventSearch search;

    @BeforeAll
    void start(KafkaBroker broker) throws Exception {
        bootstrap = broker.bootstrapServers();
        GatewayTopics.create(broker);
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "key.serializer", StringSerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName()));
        search = new AcceptedEventSearch(vertx, KafkaClientSettings.plaintext(bootstrap), DEPTH);
    }

    @AfterAll
    void stop() throws Exception {
        producer.close();
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void findsAnEventAnotherReplicaWroteWithWhatItsHeadersSay() throws Exception {
        Event<ServiceScaleRequested> event = scaleEvent("web");
        write(event, null);

        Optional<EventStatus> found = search.find(event.id()).await(20, TimeUnit.SECONDS);

        assertThat(found).hasValueSatisfying(status -> {
            assertThat(status.eventId()).isEqualTo(event.id());
            assertThat(status.type()).isEqualTo("dev.winch.service.scale.requested");
            assertThat(status.receiverId()).isEqualTo("search-receiver");
            assertThat(status.target()).isEqualTo("shop/deployment/web");
            assertThat(status.acceptedAt()).isEqualTo(event.time());
            assertThat(status.results()).isEmpty();
        });
    }

    @Test
    void readsNoFurtherBackThanItsDepthPerPartition() throws Exception {
        Event<ServiceScaleRequested> old = scaleEvent("old");
        write(old, 0);
        for (int i = 0; i < DEPTH / 3; i++) {
            write(scaleEvent("newer-" + i), 0);
        }

        assertThat(search.find(old.id()).await(20, TimeUnit.SECONDS)).as("older than the newest " + DEPTH / 3)
                .isEmpty();
    }

    @Test
    void answersNothingForAnIdNoCommandTopicHas() throws Exception {
        assertThat(search.find(UUID.randomUUID().toString()).await(20, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void failsWhenKafkaCannotBeRead() {
        AcceptedEventSearch unreachable = new AcceptedEventSearch(vertx, KafkaClientSettings.plaintext("127.0.0.1:1"), DEPTH);

        assertThatThrownBy(() -> unreachable.find(UUID.randomUUID().toString()).await(30, TimeUnit.SECONDS))
                .isInstanceOf(org.apache.kafka.common.KafkaException.class);
    }

    private Event<ServiceScaleRequested> scaleEvent(String workload) {
        return new Event<>(UUID.randomUUID().toString(), URI.create(Receiver.SOURCE_PREFIX + "search-receiver"),
                Instant.now().truncatedTo(ChronoUnit.MICROS), new ServiceScaleRequested("search-receiver",
                        new WorkloadRef("shop", "deployment", workload), ScaleAction.UP, 1, 1, 5, 0));
    }

    private void write(Event<?> event, Integer partition) throws Exception {
        ProducerRecord<String, byte[]> record = codec.toRecord(event);
        producer.send(new ProducerRecord<>(Topics.SERVICE_SCALE, partition, record.key(), record.value(),
                record.headers())).get(30, TimeUnit.SECONDS);
    }
}
