package dev.winch.notifier.channel;

import dev.winch.common.event.Outcome;
import java.util.Objects;
import java.util.Set;

/**
 * Which results go to a channel: a receiver's {@code notify} entry, or a default route of the channels file (for
 * every receiver).
 *
 * @param channel  the channel's name
 * @param outcomes the outcomes sent there; empty means all of them
 */
public record Route(String channel, Set<Outcome> outcomes) {

    public Route {
        Objects.requireNonNull(channel, "channel");
        outcomes = outcomes == null ? Set.of() : Set.copyOf(outcomes);
    }

    public boolean accepts(Outcome outcome) {
        return outcomes.isEmpty() || outcomes.contains(outcome);
    }
}
