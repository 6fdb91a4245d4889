package dev.winch.notifier.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.Outcome;
import dev.winch.notifier.channel.Route;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The part of a receiver definition the notifier needs: its id and its {@code notify} routes
 * ({@code [{channel: ops-mail, outcomes: [FAILED, APPLIED]}]}). Read from a {@code winch.receivers} record or a
 * receivers file entry; every other field is ignored, so the gateway may add fields without the notifier
 * following. An outcome this notifier does not know is skipped (a newer gateway may know more), and a route left
 * with none of the outcomes it named is dropped rather than widened to every outcome.
 *
 * @param ignored what was skipped, one phrase each, for a warning
 */
public record ReceiverRoutes(String id, List<Route> routes, List<String> ignored) {

    private static final ObjectMapper JSON = EventCodec.mapper();

    public ReceiverRoutes {
        routes = List.copyOf(routes);
        ignored = List.copyOf(ignored);
    }

    /** Decodes a stored receiver (JSON). */
    public static ReceiverRoutes decode(byte[] json) throws IOException {
        return of(JSON.readTree(json));
    }

    /** Reads a receiver definition; fails when it has no id. */
    public static ReceiverRoutes of(JsonNode receiver) throws IOException {
        if (receiver == null || !receiver.isObject() || !receiver.path("id").isTextual()) {
            throw new IOException("not a receiver: no id");
        }
        List<Route> routes = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        JsonNode notify = receiver.path("notify");
        if (notify.isArray()) {
            for (int i = 0; i < notify.size(); i++) {
                JsonNode entry = notify.get(i);
                String at = "notify[" + i + "]";
                if (!entry.path("channel").isTextual()) {
                    ignored.add(at + ": no channel");
                    continue;
                }
                Set<Outcome> outcomes = EnumSet.noneOf(Outcome.class);
                JsonNode given = entry.path("outcomes");
                if (!given.isMissingNode() && !given.isNull() && !given.isArray()) {
                    ignored.add(at + ": outcomes is not a list");
                    continue;
                }
                for (JsonNode outcome : given) {
                    Outcome known = outcome(outcome.asText());
                    if (known == null) {
                        ignored.add(at + ".outcomes: unknown outcome '" + outcome.asText() + "'");
                    } else {
                        outcomes.add(known);
                    }
                }
                if (given.size() > 0 && outcomes.isEmpty()) {
                    ignored.add(at + ": none of its outcomes is known");
                    continue;
                }
                routes.add(new Route(entry.get("channel").asText(), outcomes));
            }
        }
        return new ReceiverRoutes(receiver.get("id").asText(), routes, ignored);
    }

    private static Outcome outcome(String name) {
        try {
            Outcome outcome = Outcome.valueOf(name.toUpperCase(Locale.ROOT));
            return outcome == Outcome.UNKNOWN ? null : outcome;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
