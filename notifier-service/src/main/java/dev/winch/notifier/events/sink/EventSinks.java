package dev.winch.notifier.events.sink;

import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.http.HttpSender;
import dev.winch.notifier.channel.http.Redactor;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The configured event sinks, built: one {@link EventSink} channel each (its own HTTP client), the watches of their
 * body templates' ConfigMaps, and the {@link EventNotifications} source the delivery engine reads
 * {@code winch.k8s.events} with.
 */
public final class EventSinks implements AutoCloseable {

    /** Appended to each sink's consumer group, so a sink never shares a group with a result channel. */
    public static final String GROUP_SUFFIX = "-k8s-events";
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

    private final List<EventSink> sinks;
    private final List<TemplateWatch> watches = new ArrayList<>();
    private volatile EventNotifications source;

    private EventSinks(List<EventSink> sinks) {
        this.sinks = List.copyOf(sinks);
    }

    public static EventSinks none() {
        return new EventSinks(List.of());
    }

    /** One channel per sink; no I/O until a message is sent. */
    public static EventSinks create(Vertx vertx, EventSinkConfig config, Clock clock) {
        List<EventSink> sinks = new ArrayList<>();
        for (SinkSpec spec : config.sinks()) {
            URI url = URI.create(spec.url());
            List<String> secrets = Stream.concat(Stream.of(spec.signSecret(),
                            spec.weComApp() == null ? null : spec.weComApp().corpSecret()),
                            spec.headers().values().stream())
                    .filter(Objects::nonNull).toList();
            HttpSender sender = new HttpSender(HttpSender.client(vertx, HTTP_TIMEOUT, true, null), HTTP_TIMEOUT, clock,
                    Redactor.of(url, secrets));
            sinks.add(new EventSink(spec, sender, BodyTemplate.defaultBody(),
                    new Aggregator(config.aggregationWindow())));
        }
        return new EventSinks(sinks);
    }

    public boolean isEmpty() {
        return sinks.isEmpty();
    }

    public List<EventSink> sinks() {
        return sinks;
    }

    /** The sinks as the delivery engine's channels. */
    public List<Channel> channels() {
        return List.copyOf(sinks);
    }

    /** Whether a sink's body template lives in a ConfigMap (the notifier then needs a Kubernetes client). */
    public boolean needsKubernetes() {
        return sinks.stream().anyMatch(sink -> sink.spec().bodyConfigMap() != null);
    }

    /** Starts watching every body template's ConfigMap. Blocking: call it on the worker pool. */
    public synchronized void watchTemplates(KubernetesClient client) {
        for (EventSink sink : sinks) {
            if (sink.spec().bodyConfigMap() != null) {
                watches.add(TemplateWatch.start(client, sink));
            }
        }
    }

    /** What the delivery engine reads for the sinks (one per notifier). */
    public synchronized EventNotifications source(Vertx vertx, Clock clock, MeterRegistry registry) {
        if (source == null) {
            source = new EventNotifications(vertx, sinks, clock, registry);
        }
        return source;
    }

    /** No held repeat is sent from now on. */
    public void stop() {
        EventNotifications current = source;
        if (current != null) {
            current.stop();
        }
    }

    @Override
    public synchronized void close() {
        stop();
        watches.forEach(TemplateWatch::close);
        watches.clear();
        sinks.forEach(EventSink::close);
    }
}
