package dev.winch.common.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a worker did with a command; written to {@link Topics#RESULTS}.
 *
 * @param causeId    the id of the event this is the result of
 * @param causeType  the type of that event
 * @param receiverId the receiver that accepted the cause, when known
 * @param target     what was acted on ({@code namespace/kind/name}, a host selector, a repository)
 * @param outcome    applied, no-op, duplicate, skipped or failed
 * @param reason     a sentence for people: what changed, or why nothing did
 * @param details    facts for machines and notifications (e.g. {@code oldImage}, {@code newImage}, {@code from},
 *                   {@code to})
 * @param worker     the service that did it
 */
public record ActionResult(
        String causeId,
        String causeType,
        String receiverId,
        String target,
        Outcome outcome,
        String reason,
        Map<String, String> details,
        Instant startedAt,
        Instant finishedAt,
        String worker) implements WinchEvent {

    public ActionResult {
        Objects.requireNonNull(causeId, "causeId");
        Objects.requireNonNull(outcome, "outcome");
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    @Override
    public String partitionKey() {
        return target == null ? causeId : target;
    }
}
