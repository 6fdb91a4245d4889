package dev.winch.common.runtime;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.kafka.EventPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.net.URI;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ResultReporter} of a running service: publishes what a worker did to {@code winch.results}, logs it
 * with the cause's event id and target, and counts it ({@code winch_actions_total{outcome}}).
 */
public final class ResultPublisher implements ResultReporter {

    private static final Logger LOG = LoggerFactory.getLogger(ResultPublisher.class);

    private final EventPublisher publisher;
    private final URI source;
    private final Clock clock;
    private final MeterRegistry metrics;

    public ResultPublisher(EventPublisher publisher, String serviceName, Clock clock, MeterRegistry metrics) {
        this.publisher = publisher;
        this.source = URI.create("/winch/" + serviceName);
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public Future<Void> report(ActionResult result) {
        LOG.atInfo().addKeyValue("eventId", result.causeId()).addKeyValue("target", result.target())
                .log("{}: {}", result.outcome(), result.reason());
        metrics.counter("winch_actions_total", "outcome", result.outcome().name().toLowerCase()).increment();
        return publisher.publish(Event.create(source, result, clock)).mapEmpty();
    }
}
