package dev.winch.notifier.events.watch;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the topic already holds, as one leader knows it: per watch, the resume point (the highest resourceVersion up
 * to which every event was acknowledged), and the last {@code remember} events published (uid and
 * resourceVersion). Rebuilt from the topic's tail when this replica becomes leader, then kept up to date as it
 * publishes. No I/O: the watch asks it whether an event is new, and tells it what the broker acknowledged.
 *
 * <p>An event is published when its resourceVersion is above its watch's resume point and it is not among the
 * remembered ones. The remembered set holds what was published above the resume point (events sent together,
 * not all of which may have made it) and what a relist shows again.
 */
final class PublishedLedger {

    private final int remember;
    private final Map<String, Long> resumePoints = new HashMap<>();
    private final LinkedHashSet<String> published = new LinkedHashSet<>();
    private final long fallback;

    /**
     * @param resumePoints per watch key, the highest resourceVersion up to which the topic holds every event
     * @param published    uid and resourceVersion of the events found, oldest first
     * @param fallback     the resume point of a watch that has none of its own (the lowest resourceVersion found on
     *                     the topic, or -1 if the topic held nothing: a fresh install)
     */
    PublishedLedger(Map<String, Long> resumePoints, Iterable<String> published, long fallback, int remember) {
        this.remember = remember;
        this.resumePoints.putAll(resumePoints);
        this.fallback = fallback;
        published.forEach(this::remember);
    }

    /** A ledger built from what the topic holds. */
    static PublishedLedger of(Iterable<Published> found, int remember) {
        Map<String, Long> points = new HashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        long lowest = Long.MAX_VALUE;
        for (Published record : found) {
            points.merge(record.watchKey(), record.resumeFrom(), Math::max);
            seen.add(key(record.uid(), record.resourceVersion()));
            lowest = Math.min(lowest, record.resumeFrom());
        }
        return new PublishedLedger(points, seen, lowest == Long.MAX_VALUE ? -1 : lowest, remember);
    }

    /**
     * One event found on the topic.
     *
     * @param resumeFrom the resourceVersion up to which its watch had every event acknowledged when it was sent
     *                   (events are sent several at a time, so one on the topic does not prove that every older one
     *                   is); the resume point is the highest of these
     */
    record Published(String watchKey, String uid, long resourceVersion, long resumeFrom) {

        /** An event sent when every older one was acknowledged (records written without the header). */
        Published(String watchKey, String uid, long resourceVersion) {
            this(watchKey, uid, resourceVersion, resourceVersion);
        }
    }

    /** Whether the topic held nothing at all: the watcher then starts from "now". */
    boolean fresh() {
        return fallback < 0 && resumePoints.isEmpty();
    }

    /** The resume point of {@code watchKey}, if the topic told one (or the fallback). */
    OptionalLong resumePoint(String watchKey) {
        Long point = resumePoints.get(watchKey);
        if (point != null) {
            return OptionalLong.of(point);
        }
        return fallback < 0 ? OptionalLong.empty() : OptionalLong.of(fallback);
    }

    /** Sets the resume point of a watch that had none: what a first list showed is taken as already seen. */
    void startFrom(String watchKey, long resourceVersion) {
        resumePoints.merge(watchKey, resourceVersion, Math::max);
    }

    /** Whether the event is not on the topic yet. */
    boolean isNew(String watchKey, String uid, long resourceVersion) {
        OptionalLong point = resumePoint(watchKey);
        if (point.isPresent() && resourceVersion <= point.getAsLong()) {
            return false;
        }
        return !published.contains(key(uid, resourceVersion));
    }

    /** The broker acknowledged the event. */
    void published(String watchKey, String uid, long resourceVersion) {
        resumePoints.merge(watchKey, resourceVersion, Math::max);
        remember(key(uid, resourceVersion));
    }

    int remembered() {
        return published.size();
    }

    private void remember(String key) {
        published.remove(key);
        published.add(key);
        while (published.size() > remember) {
            String oldest = published.iterator().next();
            published.remove(oldest);
        }
    }

    private static String key(String uid, long resourceVersion) {
        return uid + "@" + resourceVersion;
    }
}
