package dev.winch.notifier.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.winch.notifier.channel.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link RouteTable} current with the receivers: those of the receivers file, when the notifier is given
 * the gateway's file too, then the records of the compacted {@code winch.receivers} topic, which the notifier reads
 * whole at start and follows as gateway replicas do ({@link #apply}: a record replaces a file receiver of the same
 * id; a tombstone removes it).
 *
 * <p>A route to a channel the notifier does not have is ignored with a warning naming the receiver and the channel,
 * counted in {@code winch_notifier_unknown_channel_routes_total{receiver,channel}}.
 */
public final class ReceiverRouteLearner {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverRouteLearner.class);

    private final RouteTable table;
    private final MeterRegistry registry;

    public ReceiverRouteLearner(RouteTable table, MeterRegistry registry) {
        this.table = table;
        this.registry = registry;
    }

    /**
     * Reads the routes of a receivers file ({@code receivers:} entries, YAML or JSON). A hooks file of the webhook
     * tool declares no routes and gives none.
     */
    public static List<ReceiverRoutes> readFile(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        JsonNode receivers = root == null ? null : root.get("receivers");
        if (receivers == null || !receivers.isArray()) {
            return List.of();
        }
        List<ReceiverRoutes> out = new java.util.ArrayList<>();
        for (JsonNode receiver : receivers) {
            if (receiver.path("id").isTextual()) {
                out.add(ReceiverRoutes.of(receiver));
            }
        }
        return out;
    }

    /** Learns a receiver's routes, warning about and counting those it must ignore. */
    public void learn(ReceiverRoutes receiver) {
        receiver.ignored().forEach(what -> LOG.atWarn().addKeyValue("receiver", receiver.id())
                .log("Receiver '{}': ignoring {}", receiver.id(), what));
        List<Route> unknown = table.put(receiver.id(), receiver.routes());
        for (Route route : unknown) {
            LOG.atWarn().addKeyValue("receiver", receiver.id()).addKeyValue("channel", route.channel())
                    .log("Receiver '{}' routes results to channel '{}', which is not in the channels file; "
                            + "ignoring that route", receiver.id(), route.channel());
            Counter.builder("winch_notifier_unknown_channel_routes_total")
                    .description("receiver routes ignored because the channels file has no such channel")
                    .tag("receiver", receiver.id()).tag("channel", route.channel())
                    .register(registry).increment();
        }
    }

    /** Learns from a record of {@code winch.receivers}: a receiver, or a tombstone that removes one. */
    public void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            table.remove(record.key());
            return;
        }
        try {
            ReceiverRoutes receiver = ReceiverRoutes.decode(record.value());
            if (!receiver.id().equals(record.key())) {
                LOG.warn("Ignoring receiver record at offset {}: key '{}' and id differ", record.offset(),
                        record.key());
                return;
            }
            learn(receiver);
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable receiver record '{}' at offset {}: {}", record.key(), record.offset(),
                    e.getMessage());
        }
    }
}
