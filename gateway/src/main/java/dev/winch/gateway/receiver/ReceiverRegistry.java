package dev.winch.gateway.receiver;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The receivers this gateway knows, by id. */
public final class ReceiverRegistry {

    private final Map<String, Receiver> receivers = new ConcurrentHashMap<>();

    public void put(Receiver receiver) {
        receivers.put(receiver.id(), receiver);
    }

    public void putAll(Collection<Receiver> all) {
        all.forEach(this::put);
    }

    public Optional<Receiver> find(String id) {
        return Optional.ofNullable(receivers.get(id));
    }

    public List<Receiver> all() {
        return List.copyOf(receivers.values());
    }
}
