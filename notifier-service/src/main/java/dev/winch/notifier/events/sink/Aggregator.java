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
 * sent on its own; the newest such repeat is held, and sent once the window is over, carrying the latest count.
 * An update that changes anything else is sent at once. A version of an Event at or below one already seen (the
 * same record twice on the topic) is {@link Decision#COVERED}. No I/O and no timers: the delivery engine keeps the
 * held repeat (in Kafka, so a restart does not lose it) and sends it when it is due.
 *
 * <p>Thread-safe.
 */
public final class Aggregator {

    /** What {@link #admit} decided. */
    public enum Decision {
        /** Send it now. */
        SEND,
        /** Held as the Event's newest repeat until {@link #heldUntil}. */
        HELD,
        /** A version already sent or held: nothing to do. */
        COVERED
    }

    /** A repeat held before (by this replica or, before a restart or a rebalance, another), and when it is due. */
    public record Pending(KubeEventObserved event, Instant due) {
    }

    private record Entry(String signature, Instant sentAt, KubeEventObserved held, long lastVersion) {
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

    public Decision admit(KubeEventObserved event, Instant now) {
        return admit(event, now, Optional.empty());
    }

    /**
     * @param pending the repeat of this Event held in Kafka, if any: used when this replica has no state of its own
     *                for the Event (after a restart), so the window goes on where it was
     */
    public synchronized Decision admit(KubeEventObserved event, Instant now, Optional<Pending> pending) {
        if (window.isZero() || event.uid() == null || event.uid().isEmpty()) {
            return Decision.SEND;
        }
        String signature = signature(event);
        long version = version(event);
        Entry entry = entries.get(event.uid());
        if (entry == null && pending.isPresent()) {
            KubeEventObserved held = pending.get().event();
            entry = new Entry(signature(held), pending.get().due().minus(window), held, version(held));
        }
        if (entry != null && version >= 0 && version <= entry.lastVersion()) {
            return Decision.COVERED;
        }
        if (entry != null && entry.signature().equals(signature)
                && (entry.held() != null || now.isBefore(entry.sentAt().plus(window)))) {
            entries.put(event.uid(), new Entry(signature, entry.sentAt(), event,
                    Math.max(version, entry.lastVersion())));
            return Decision.HELD;
        }
        if (entries.size() >= MAX_ENTRIES) {
            forgetExpired(now);
        }
        entries.put(event.uid(), new Entry(signature, now, null, version));
        return Decision.SEND;
    }

    /** When the window of the held repeat of {@code uid} ends, if one is held. */
    public synchronized Optional<Instant> heldUntil(String uid) {
        Entry entry = entries.get(uid);
        return entry == null || entry.held() == null ? Optional.empty() : Optional.of(entry.sentAt().plus(window));
    }

    /**
     * Whether {@code event} is still the repeat to send for its uid: false once a newer version was held in its
     * place or a changed Event was sent after it. True when this replica knows nothing of it (after a restart).
     */
    public synchronized boolean stillHeld(KubeEventObserved event) {
        Entry entry = entries.get(event.uid());
        return entry == null || entry.held() != null && version(entry.held()) == version(event);
    }

    /**
     * The held repeat {@code event} is being sent now: a later repeat waits for a window counted from now (also when
     * this replica had no state of its own for it, after a restart: the later repeat then starts a new hold rather
     * than joining the one being sent).
     */
    public synchronized void sending(KubeEventObserved event, Instant now) {
        if (window.isZero() || event.uid() == null || event.uid().isEmpty()) {
            return;
        }
        Entry entry = entries.get(event.uid());
        long version = Math.max(version(event), entry == null ? -1 : entry.lastVersion());
        entries.put(event.uid(), new Entry(signature(event), now, null, version));
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
        entries.put(uid, new Entry(entry.signature(), now, null, entry.lastVersion()));
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

    /** The resourceVersion as a number (etcd's revision), or -1 when it is not one. */
    static long version(KubeEventObserved event) {
        try {
            return event.resourceVersion() == null ? -1 : Long.parseLong(event.resourceVersion());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String signature(KubeEventObserved event) {
        return String.join("\u0000", Objects.toString(event.type(), ""), Objects.toString(event.reason(), ""),
                Objects.toString(event.message(), ""), Objects.toString(event.namespace(), ""),
                Objects.toString(event.involvedKind(), ""), Objects.toString(event.involvedName(), ""));
    }
}
