package dev.winch.gateway.receiver;

import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The receivers this gateway replica serves, by id: those of the receivers file and those of the topic. */
public final class ReceiverRegistry {

    private final Map<String, Receiver> receivers = new ConcurrentHashMap<>();
    private final ReceiverSpec.RateLimit defaultLimit;
    private final Clock clock;

    public ReceiverRegistry(ReceiverSpec.RateLimit defaultLimit, Clock clock) {
        this.defaultLimit = defaultLimit;
        this.clock = clock;
    }

    /** Adds or replaces a receiver. A receiver from the file is never replaced by one from the topic. */
    public void put(ReceiverSpec spec) {
        receivers.compute(spec.id(), (id, current) -> current != null && "file".equals(current.spec().origin())
                && !"file".equals(spec.origin()) ? current : new Receiver(spec, defaultLimit, clock));
    }

    /** Removes a receiver managed through the API; file receivers stay. */
    public void remove(String id) {
        receivers.computeIfPresent(id, (key, current) -> "file".equals(current.spec().origin()) ? current : null);
    }

    public Optional<Receiver> find(String id) {
        return Optional.ofNullable(receivers.get(id));
    }

    public List<ReceiverSpec> all() {
        return receivers.values().stream().map(Receiver::spec)
                .sorted(Comparator.comparing(ReceiverSpec::id)).toList();
    }
}
