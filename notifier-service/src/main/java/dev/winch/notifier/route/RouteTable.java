package dev.winch.notifier.route;

import dev.winch.common.event.ActionResult;
import dev.winch.notifier.channel.Route;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which channels a result goes to: its receiver's routes (learnt from {@code winch.receivers}) and the default
 * routes of the channels file, each filtered by outcome. No I/O; the notifier's follower feeds it.
 *
 * <p>A receiver route naming a channel the notifier does not have is left out (the receiver's other routes stay):
 * the gateway cannot know the channels file, so it can only check a channel name's syntax. {@link #put} says which
 * routes it left out, so the caller can warn and count. A default route naming an unknown channel is a mistake in
 * the notifier's own configuration and is refused at start.
 *
 * <p>Thread-safe: the receivers' follower writes it while every channel's consumer reads it.
 */
public final class RouteTable {

    private final Set<String> channels;
    private final List<Route> defaults;
    private final Map<String, List<Route>> byReceiver = new ConcurrentHashMap<>();

    /**
     * @param channels the names of the channels the notifier has
     * @param defaults routes for every receiver
     * @throws IllegalArgumentException naming a default route's unknown channel
     */
    public RouteTable(Set<String> channels, List<Route> defaults) {
        this.channels = Set.copyOf(channels);
        this.defaults = List.copyOf(defaults);
        for (int i = 0; i < defaults.size(); i++) {
            if (!channels.contains(defaults.get(i).channel())) {
                throw new IllegalArgumentException("routes[" + i + "].channel: no channel named '"
                        + defaults.get(i).channel() + "'");
            }
        }
    }

    /**
     * Sets a receiver's routes, replacing what was known of it.
     *
     * @return the routes left out because their channel is unknown (empty when all were taken)
     */
    public List<Route> put(String receiverId, List<Route> routes) {
        List<Route> known = new ArrayList<>();
        List<Route> unknown = new ArrayList<>();
        for (Route route : routes) {
            (channels.contains(route.channel()) ? known : unknown).add(route);
        }
        if (known.isEmpty()) {
            byReceiver.remove(receiverId);
        } else {
            byReceiver.put(receiverId, List.copyOf(known));
        }
        return unknown;
    }

    /** Forgets a deleted receiver. */
    public void remove(String receiverId) {
        byReceiver.remove(receiverId);
    }

    /** The routes known for a receiver (without the defaults). */
    public List<Route> routesOf(String receiverId) {
        return byReceiver.getOrDefault(receiverId, List.of());
    }

    /** The channels {@code result} goes to, each once, receiver routes first, then the defaults' order. */
    public Set<String> channelsFor(ActionResult result) {
        Set<String> out = new LinkedHashSet<>();
        if (result.receiverId() != null) {
            for (Route route : routesOf(result.receiverId())) {
                if (route.accepts(result.outcome())) {
                    out.add(route.channel());
                }
            }
        }
        for (Route route : defaults) {
            if (route.accepts(result.outcome())) {
                out.add(route.channel());
            }
        }
        return out;
    }

    /** Whether {@code result} goes to {@code channel}. */
    public boolean routes(ActionResult result, String channel) {
        return channelsFor(result).contains(channel);
    }
}
