package dev.winch.notifier.events.watch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The watcher's meters. */
final class EventsWatchMetrics {

    private final Counter observed;
    private final Counter published;
    private final Counter skipped;
    private final Counter restarts;
    private final Counter gone;
    private final AtomicInteger leader = new AtomicInteger();

    EventsWatchMetrics(MeterRegistry registry) {
        observed = Counter.builder("winch_notifier_k8s_events_observed_total")
                .description("new or changed Kubernetes events seen by a list or a watch").register(registry);
        published = Counter.builder("winch_notifier_k8s_events_published_total")
                .description("Kubernetes events published to winch.k8s.events (acknowledged by the broker)")
                .register(registry);
        skipped = Counter.builder("winch_notifier_k8s_events_skipped_total")
                .description("Kubernetes events seen again that the topic already had").register(registry);
        restarts = Counter.builder("winch_notifier_k8s_watch_restarts_total")
                .description("event watches that ended and were started again (after a relist)").register(registry);
        gone = Counter.builder("winch_notifier_k8s_watch_gone_total")
                .description("event watches answered with 410 Gone (resourceVersion too old)").register(registry);
        Gauge.builder("winch_notifier_k8s_events_leader", leader, AtomicInteger::get)
                .description("1 while this replica holds the events Lease and watches, else 0").register(registry);
    }

    void observed() {
        observed.increment();
    }

    void published() {
        published.increment();
    }

    void skipped() {
        skipped.increment();
    }

    void watchRestarted() {
        restarts.increment();
    }

    void gone() {
        gone.increment();
    }

    void leading(boolean leading) {
        leader.set(leading ? 1 : 0);
    }
}
