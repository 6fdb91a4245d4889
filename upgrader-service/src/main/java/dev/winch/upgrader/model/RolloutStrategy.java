package dev.winch.upgrader.model;

import dev.winch.common.event.ImagePushed.UpgradeTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * Rancher 1.x's upgrade settings (seed 000: batch size, batch interval, start-first) as a receiver gave them;
 * {@link #forKind(String)} maps them onto a workload's Kubernetes update strategy.
 *
 * <ul>
 *   <li>start-first: {@code maxSurge} = batch size, {@code maxUnavailable} = 0 (new pods start before old ones
 *       stop); stop-first: {@code maxSurge} = 0, {@code maxUnavailable} = batch size.</li>
 *   <li>batch interval: {@code minReadySeconds}. Not the same thing: Rancher waited that long between batches;
 *       Kubernetes counts a new pod available only after it has been ready that long, which delays the next batch
 *       by about as much but also applies to pods that are replaced for any other reason.</li>
 *   <li>A setting the receiver left out keeps the workload's own: a batch size without start-first is stop-first
 *       (Rancher's default), start-first without a batch size is a batch of 1.</li>
 * </ul>
 *
 * @param batchSize       pods replaced at a time, or null
 * @param startFirst      whether new pods start before old ones stop, or null
 * @param intervalSeconds seconds between batches, or null
 */
public record RolloutStrategy(Integer batchSize, Boolean startFirst, Integer intervalSeconds) {

    /** What to set on one workload; null fields are left as the workload has them. */
    public record Settings(Integer maxSurge, Integer maxUnavailable, Integer minReadySeconds, List<String> notes) {

        public Settings {
            notes = List.copyOf(notes);
        }

        public boolean changesAnything() {
            return maxSurge != null || maxUnavailable != null || minReadySeconds != null;
        }

        /** {@code maxSurge=1 maxUnavailable=0 minReadySeconds=2}, the parts that are set. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            if (maxSurge != null) {
                parts.add("maxSurge=" + maxSurge);
            }
            if (maxUnavailable != null) {
                parts.add("maxUnavailable=" + maxUnavailable);
            }
            if (minReadySeconds != null) {
                parts.add("minReadySeconds=" + minReadySeconds);
            }
            return String.join(" ", parts);
        }
    }

    /** The receiver's settings, or null when it gave none (the workload keeps its own strategy). */
    public static RolloutStrategy of(UpgradeTarget target) {
        if (target.batchSize() == null && target.startFirst() == null && target.batchIntervalSeconds() == null) {
            return null;
        }
        return new RolloutStrategy(target.batchSize(), target.startFirst(), target.batchIntervalSeconds());
    }

    /** A sentence naming what is wrong with the settings, or null when they are usable. */
    public String problem() {
        if (batchSize != null && batchSize < 1) {
            return "batch size must be at least 1, got " + batchSize;
        }
        if (intervalSeconds != null && intervalSeconds < 0) {
            return "batch interval must not be negative, got " + intervalSeconds;
        }
        return null;
    }

    /** @param kind {@code deployment}, {@code statefulset} or {@code daemonset} */
    public Settings forKind(String kind) {
        boolean pacing = batchSize != null || startFirst != null;
        int batch = batchSize == null ? 1 : batchSize;
        boolean surge = Boolean.TRUE.equals(startFirst);
        List<String> notes = new ArrayList<>();
        Integer maxSurge = null;
        Integer maxUnavailable = null;
        if (pacing && kind.equals("statefulset")) {
            if (surge) {
                notes.add("a StatefulSet replaces each pod in place, so start-first cannot apply; its own pace is kept");
            } else {
                maxUnavailable = batch;
                notes.add("a StatefulSet honours maxUnavailable only where the MaxUnavailableStatefulSet feature is "
                        + "enabled; elsewhere it replaces one pod at a time");
            }
        } else if (pacing) {
            maxSurge = surge ? batch : 0;
            maxUnavailable = surge ? 0 : batch;
        }
        return new Settings(maxSurge, maxUnavailable, intervalSeconds, notes);
    }
}
