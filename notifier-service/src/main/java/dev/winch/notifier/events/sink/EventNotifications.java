package dev.winch.notifier.events.sink;

import dev.winch.common.event.Event;
import dev.winch.common.event.KubeEventObserved;
import dev.winch.common.event.Topics;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.delivery.NotificationSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the delivery engine delivers from {@code winch.k8s.events} to the event sinks: an event goes to a sink when
 * the sink's filter takes it. A repeat the sink's {@link Aggregator} folds is held by the delivery engine (kept in
 * Kafka) and delivered when its window is over, as one message carrying the latest count, through the same retries,
 * rate limit, dead letters and marks as any message. An Event version is delivered once per sink, whatever record
 * carries it ({@link #deliveryId}).
 *
 * <p>Meters: {@code winch_event_sink_events_total{sink,outcome}} (filtered_out, aggregated, late_sent: a held
 * repeat handed to delivery).
 */
public final class EventNotifications implements NotificationSource {

    private final Vertx vertx;
    private final Map<String, EventSink> sinks;
    private final Clock clock;
    private final MeterRegistry registry;

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
        return true;
    }

    /**
     * An Event's version, whatever record carries it: the same Event version published twice (a publication not
     * acknowledged before a leader hand-over, written again by the next leader) is delivered once.
     */
    @Override
    public String deliveryId(Event<?> event) {
        if (event.data() instanceof KubeEventObserved observed && observed.uid() != null && !observed.uid().isEmpty()
                && observed.resourceVersion() != null && !observed.resourceVersion().isEmpty()) {
            return "k8s-event:" + observed.uid() + "@" + observed.resourceVersion();
        }
        return event.id();
    }

    @Override
    public Admission admit(Event<?> event, String channel, Function<String, Optional<Held>> held) {
        EventSink sink = sinks.get(channel);
        KubeEventObserved observed = (KubeEventObserved) event.data();
        if (sink.aggregator().window().isZero() || observed.uid() == null || observed.uid().isEmpty()) {
            return Admission.SEND;
        }
        Optional<Aggregator.Pending> pending = held.apply(observed.uid())
                .filter(h -> h.event().data() instanceof KubeEventObserved)
                .map(h -> new Aggregator.Pending((KubeEventObserved) h.event().data(), h.due()));
        return switch (sink.aggregator().admit(observed, clock.instant(), pending)) {
            case SEND -> Admission.SEND;
            case COVERED -> new Admission.Covered();
            case HELD -> {
                count(sink, "aggregated");
                yield new Admission.Hold(observed.uid(), sink.aggregator().heldUntil(observed.uid()).orElseThrow());
            }
        };
    }

    @Override
    public boolean stillHeld(Event<?> event, String channel) {
        EventSink sink = sinks.get(channel);
        return sink != null && sink.aggregator().stillHeld((KubeEventObserved) event.data());
    }

    @Override
    public void releasing(Event<?> event, String channel) {
        EventSink sink = sinks.get(channel);
        if (sink != null) {
            count(sink, "late_sent");
            sink.aggregator().sending((KubeEventObserved) event.data(), clock.instant());
        }
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

    /** Kept for the service's shutdown order; held repeats are sent by the delivery engine, which stops itself. */
    public void stop() {
    }

    private void count(EventSink sink, String outcome) {
        registry.counter("winch_event_sink_events_total", "sink", sink.name(), "outcome", outcome).increment();
    }
}
