package dev.winch.notifier;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.Topics;
import dev.winch.common.runtime.ServiceRuntime;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier: reads what the workers did from {@code winch.results} and tells people. This version writes each
 * result to the log, with its event id and target.
 */
public final class NotifierService {

    private static final Logger LOG = LoggerFactory.getLogger(NotifierService.class);

    private final ServiceRuntime runtime;

    public NotifierService(ServiceRuntime runtime) {
        this.runtime = runtime;
    }

    public Future<Void> start() {
        return runtime.consume(Topics.RESULTS, ActionResult.class, this::handle).mapEmpty();
    }

    private Future<Void> handle(Event<ActionResult> event) {
        ActionResult result = event.data();
        LOG.atInfo().addKeyValue("eventId", result.causeId()).addKeyValue("target", result.target())
                .addKeyValue("worker", result.worker()).addKeyValue("outcome", result.outcome())
                .log("{}", result.reason());
        runtime.registry().counter("winch_notifier_results_total",
                "outcome", result.outcome().name().toLowerCase()).increment();
        return Future.succeededFuture();
    }
}
