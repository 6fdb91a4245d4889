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
 * Publishes what a worker did to {@code winch.results} and logs it with the cause's event id and target.
 * A worker's handler completes (and its offset is committed) only after the result is stored.
 */
public final class ResultReporter {

    private static final Logger LOG = LoggerFactory.getLogger(ResultReporter.class);

    private final EventPublisher publisher;
    private final URI source;
    private final Clock clock;
    private final MeterRegistry metrics;

    public ResultReporter(EventPublisher publisher, String serviceName, Clock clock, MeterRegistry metrics) {
        this.publisher = publisher;
        this.source = URI.create("/winch/" + serviceName);
        this.clock = clock;
        this.metrics = metrics;
    }

    public static ResultReporter of(ServiceRuntime runtime) {
        return new ResultReporter(runtime.publisher(), runtime.config().serviceName(), runtime.clock(),
                runtime.registry());
    }

    public Future<Void> report(ActionResult result) {
        LOG.atInfo().addKeyValue("eventId", result.causeId()).addKeyValue("target", result.target())
                .log("{}: {}", result.outcome(), result.reason());
        metrics.counter("winch_actions_total", "outcome", result.outcome().name().toLowerCase()).increment();
        return publisher.publish(Event.create(source, result, clock)).mapEmpty();
    }
}
