package dev.winch.notifier.events.sink;

import dev.winch.common.event.KubeEventObserved;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Folds repeats of a Kubernetes Event for one sink: when an Event (same uid) comes again within the window after
 * it was last sent, and only its count and timestamps changed (same type, reason, message and object), it is not
 * sent on its own; the newest such repeat is sent once the window is over, carrying the latest count. An update
 * that changes anything else is sent at once. No I/O and no timers: the caller asks {@link #due} when a window ends.
 *
 * <p>Thread-safe.
 */
public final class Aggregator {

    /** What {@link #admit} decided. */
    public enum Decision {
        /** Send it now. */
        SEND,
        /** Held as the Event's newest repeat; {@link #due} hands it over when the window ends. */
        HELD
    }

    private record Entry(String signature, Instant sentAt, KubeEventObserved held) {
    }

    private static final int MAX_ENTRIES = 50_000;

    private final Duration window;
    private final Map<String, Entry> entries = new HashMap<>();

    /** @param window {@link Duration#ZERO} turns folding off */
    public Aggregator(Duration window) {
        this.window = window;
    }

    public Duration window() {
        return window;
    }

    public synchronized Decision admit(KubeEventObserved event, Instant now) {
        if (window.isZero() || event.uid() == null || event.uid().isEmpty()) {
            return Decision.SEND;
        }
        String signature = signature(event);
        Entry entry = entries.get(event.uid());
        if (entry != null && entry.signature().equals(signature) && now.isBefore(entry.sentAt().plus(window))) {
            if (entry.held() == null || entry.held().count() <= event.count()) {
                entries.put(event.uid(), new Entry(signature, entry.sentAt(), event));
            }
            return Decision.HELD;
        }
        if (entries.size() >= MAX_ENTRIES) {
            forgetExpired(now);
        }
        entries.put(event.uid(), new Entry(signature, now, null));
        return Decision.SEND;
    }

    /** When the window of the held repeat of {@code uid} ends, if one is held. */
    public synchronized Optional<Instant> heldUntil(String uid) {
        Entry entry = entries.get(uid);
        return entry == null || entry.held() == null ? Optional.empty() : Optional.of(entry.sentAt().plus(window));
    }

    /**
     * The held repeat of {@code uid} once its window is over (it counts as sent now, so later repeats wait another
     * window), or empty.
     */
    public synchronized Optional<KubeEventObserved> due(String uid, Instant now) {
        Entry entry = entries.get(uid);
        if (entry == null || entry.held() == null || now.isBefore(entry.sentAt().plus(window))) {
            return Optional.empty();
        }
        entries.put(uid, new Entry(entry.signature(), now, null));
        return Optional.of(entry.held());
    }

    private void forgetExpired(Instant now) {
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry entry = it.next();
            if (entry.held() == null && !now.isBefore(entry.sentAt().plus(window))) {
                it.remove();
            }
        }
    }

    private static String signature(KubeEventObserved event) {
        return String.join("\u0000", Objects.toString(event.type(), ""), Objects.toString(event.reason(), ""),
                Objects.toString(event.message(), ""), Objects.toString(event.namespace(), ""),
                Objects.toString(event.involvedKind(), ""), Objects.toString(event.involvedName(), ""));
    }
}
