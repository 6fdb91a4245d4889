package dev.winch.notifier;

import dev.winch.common.kafka.KafkaClientSettings;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.TopicFollower;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.Route;
import dev.winch.notifier.delivery.DeliveredLog;
import dev.winch.notifier.delivery.DeliveryEngine;
import dev.winch.notifier.delivery.DeliveryTopics;
import dev.winch.notifier.events.sink.EventSinks;
import dev.winch.notifier.route.ReceiverRouteLearner;
import dev.winch.notifier.route.ReceiverRoutes;
import dev.winch.notifier.route.RouteTable;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier: reads what the workers did from {@code winch.results} and tells people. Every result is logged
 * with its event id and target; a result routed to channels (by its receiver's {@code notify} routes, learnt from
 * {@code winch.receivers}, and the default routes) is delivered to each of them by the {@link DeliveryEngine}.
 *
 * <p>Start order: the receivers' routes and the delivery marks are read whole first, so the first result a channel
 * reads is routed as configured and a redelivered one is recognised; then one consumer per channel.
 */
public final class NotifierService {

    private static final Logger LOG = LoggerFactory.getLogger(NotifierService.class);

    private final ServiceRuntime runtime;
    private final NotifierConfig config;
    private final List<Channel> channels;
    private final RouteTable routes;
    private final ReceiverRouteLearner receivers;
    private final TopicFollower receiverRecords;
    private final DeliveredLog delivered;
    private final DeliveryEngine engine;
    private final EventSinks eventSinks;

    /** A notifier without channels: it logs every result. */
    public NotifierService(ServiceRuntime runtime) {
        this(runtime, NotifierConfig.fromEnv(Map.of()).withRuntime(runtime.config()), List.of(), List.of());
    }

    /**
     * @param channels      the channels of the channels file
     * @param defaultRoutes its routes for every receiver
     * @throws IllegalArgumentException when two channels share a name or a default route names no channel
     */
    public NotifierService(ServiceRuntime runtime, NotifierConfig config, List<Channel> channels,
            List<Route> defaultRoutes) {
        this(runtime, config, channels, defaultRoutes, EventSinks.none());
    }

    /**
     * @param eventSinks the Kubernetes event sinks: each delivered by the same engine from {@code winch.k8s.events}
     */
    public NotifierService(ServiceRuntime runtime, NotifierConfig config, List<Channel> channels,
            List<Route> defaultRoutes, EventSinks eventSinks) {
        this.runtime = runtime;
        this.eventSinks = eventSinks;
        this.config = config;
        this.channels = List.copyOf(channels);
        Set<String> names = new HashSet<>();
        for (Channel channel : channels) {
            if (!names.add(channel.name())) {
                throw new IllegalArgumentException("two channels are named '" + channel.name() + "'");
            }
        }
        this.routes = new RouteTable(names, defaultRoutes);
        KafkaClientSettings kafka = runtime.config().kafka();
        this.receivers = new ReceiverRouteLearner(routes, runtime.registry());
        this.receiverRecords = new TopicFollower(runtime.vertx(), kafka, List.of(Topics.RECEIVERS),
                TopicFollower.From.BEGINNING, receivers::apply);
        this.delivered = new DeliveredLog(runtime.vertx(), kafka, runtime.publisher(),
                config.delivery().recentIds());
        this.engine = new DeliveryEngine(runtime, delivered, config.delivery());
    }

    public Future<Void> start() {
        if (channels.isEmpty() && eventSinks.isEmpty()) {
            LOG.info("No notification channels: results are only logged");
            return runtime.consume(Topics.RESULTS, ActionResult.class, this::log).mapEmpty();
        }
        LOG.info("Delivering results to {} channel(s): {}", channels.size(),
                channels.stream().map(c -> c.name() + " (" + c.kind() + ")").collect(Collectors.joining(", ")));
        return runtime.blocking().call(() -> {
                    DeliveryTopics.check(runtime.config().kafka());
                    return fileRoutes();
                })
                .compose(fromFile -> {
                    fromFile.forEach(receivers::learn);
                    runtime.onClose(receiverRecords::stop);
                    runtime.onClose(delivered::stop);
                    return Future.all(receiverRecords.start(), delivered.start());
                })
                .compose(v -> runtime.consume(Topics.RESULTS, ActionResult.class, this::log))
                .compose(v -> channels.isEmpty() ? Future.<Void>succeededFuture()
                        : engine.start(channels, new ResultNotifications(routes, config.publicUrl()), ""))
                .compose(v -> startEventSinks());
    }

    // Kubernetes event sinks: the same engine, a second source (winch.k8s.events), groups of their own.
    private Future<Void> startEventSinks() {
        if (eventSinks.isEmpty()) {
            return Future.succeededFuture();
        }
        LOG.info("Delivering Kubernetes events to {} sink(s): {}", eventSinks.sinks().size(),
                eventSinks.sinks().stream().map(s -> s.name() + " (" + s.spec().kind().id() + ")")
                        .collect(Collectors.joining(", ")));
        return engine.start(eventSinks.channels(),
                eventSinks.source(runtime.vertx(), runtime.clock(), runtime.registry()), EventSinks.GROUP_SUFFIX);
    }

    /**
     * Stops the runtime (the consumers first), and makes retries and rate-limit waits stop at once, so shutdown does
     * not wait for a dead channel's next attempt.
     */
    public Future<Void> close() {
        Future<Void> closed = runtime.close();
        engine.stop();
        eventSinks.stop();
        return closed;
    }

    /** Whether every channel's consumer has been given partitions (its group has formed). */
    public boolean channelsAssigned() {
        return engine.assigned();
    }

    private List<ReceiverRoutes> fileRoutes() {
        if (config.receiversFile().isEmpty()) {
            return List.of();
        }
        try {
            return ReceiverRouteLearner.readFile(config.receiversFile().get());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config.receiversFile().get(), e);
        }
    }

    private Future<Void> log(Event<ActionResult> event) {
        ActionResult result = event.data();
        LOG.atInfo().addKeyValue("eventId", result.causeId()).addKeyValue("target", result.target())
                .addKeyValue("worker", result.worker()).addKeyValue("outcome", result.outcome())
                .log("{}", result.reason());
        runtime.registry().counter("winch_notifier_results_total",
                "outcome", result.outcome().name().toLowerCase()).increment();
        return Future.succeededFuture();
    }
}
