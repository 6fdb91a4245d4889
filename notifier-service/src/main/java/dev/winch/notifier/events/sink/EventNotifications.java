package dev.winch.notifier.events.sink;

import dev.winch.common.event.Event;
import dev.winch.common.event.KubeEventObserved;
import dev.winch.common.event.Topics;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.delivery.NotificationSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the delivery engine delivers from {@code winch.k8s.events} to the event sinks: an event goes to a sink when
 * the sink's filter takes it and it is not a repeat the sink's {@link Aggregator} holds back. A held repeat is sent
 * once its window is over, on a timer, as one message carrying the latest count (one attempt: see DESIGN.md).
 *
 * <p>Meters: {@code winch_event_sink_events_total{sink,outcome}} (filtered_out, aggregated, late_sent,
 * late_failed).
 */
public final class EventNotifications implements NotificationSource {

    private static final Logger LOG = LoggerFactory.getLogger(EventNotifications.class);

    private final Vertx vertx;
    private final Map<String, EventSink> sinks;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    public EventNotifications(Vertx vertx, List<EventSink> sinks, Clock clock, MeterRegistry registry) {
        this.vertx = vertx;
        this.sinks = sinks.stream().collect(Collectors.toUnmodifiableMap(EventSink::name, Function.identity()));
        this.clock = clock;
        this.registry = registry;
    }

    @Override
    public String topic() {
        return Topics.K8S_EVENTS;
    }

    @Override
    public boolean selects(Event<?> event, String channel) {
        EventSink sink = sinks.get(channel);
        if (sink == null || !(event.data() instanceof KubeEventObserved observed)) {
            return false;
        }
        if (!sink.filter().accepts(observed)) {
            count(sink, "filtered_out");
            return false;
        }
        Instant now = clock.instant();
        if (sink.aggregator().admit(observed, now) == Aggregator.Decision.SEND) {
            return true;
        }
        count(sink, "aggregated");
        sink.aggregator().heldUntil(observed.uid()).ifPresent(until -> schedule(sink, observed.uid(), until, now));
        return false;
    }

    @Override
    public Notification single(Event<?> event) {
        return new Notification.KubeEvents(List.of(event.id()), List.of((KubeEventObserved) event.data()), null);
    }

    @Override
    public Notification digest(List<Event<?>> events, String window) {
        return new Notification.KubeEvents(events.stream().map(Event::id).toList(),
                events.stream().map(e -> (KubeEventObserved) e.data()).toList(), window);
    }

    /** No repeat is sent after this. */
    public void stop() {
        stopped = true;
    }

    private void schedule(EventSink sink, String uid, Instant until, Instant now) {
        String key = sink.name() + "|" + uid;
        if (!scheduled.add(key)) {
            return;
        }
        long delay = Math.max(1, Duration.between(now, until).toMillis());
        vertx.setTimer(delay, id -> {
            scheduled.remove(key);
            if (stopped) {
                return;
            }
            sink.aggregator().due(uid, clock.instant()).ifPresent(held -> sink.send(new Notification.KubeEvents(
                    List.of("aggregated-" + uid + "-" + held.resourceVersion()), List.of(held), null))
                    .onComplete(ar -> {
                        Delivery delivery = ar.succeeded() ? ar.result() : null;
                        if (delivery instanceof Delivery.Delivered) {
                            count(sink, "late_sent");
                            LOG.atInfo().addKeyValue("channel", sink.name()).addKeyValue("uid", uid)
                                    .log("Sent the latest count ({}) of a repeated event to {}", held.count(),
                                            sink.name());
                        } else {
                            count(sink, "late_failed");
                            LOG.atWarn().addKeyValue("channel", sink.name()).addKeyValue("uid", uid)
                                    .log("The latest count ({}) of a repeated event was not taken by {}: {}",
                                            held.count(), sink.name(), ar.succeeded() ? delivery : ar.cause());
                        }
                    }));
        });
    }

    private void count(EventSink sink, String outcome) {
        registry.counter("winch_event_sink_events_total", "sink", sink.name(), "outcome", outcome).increment();
    }
}
