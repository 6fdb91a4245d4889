package dev.winch.upgrader.model;

import java.util.Objects;

/**
 * Where a rollout stands, judged the way {@code kubectl rollout status} judges it, from the workload's status and
 * the pod template the upgrade wrote.
 */
public sealed interface RolloutStatus {

    /** Still rolling; {@code progress} says how far. */
    record InProgress(String progress) implements RolloutStatus {
    }

    /** Every replica runs the new template and is available. */
    record Complete(String summary) implements RolloutStatus {
    }

    /** The controller gave up (a Deployment's progress deadline). */
    record Failed(String reason) implements RolloutStatus {
    }

    /** The pod template changed again after the upgrade wrote it: the rollout now rolls something newer. */
    record Superseded(String reason) implements RolloutStatus {
    }

    /** The workload's strategy does not roll pods by itself ({@code OnDelete}): there is no rollout to follow. */
    record Untrackable(String reason) implements RolloutStatus {
    }

    /**
     * In this order: a different pod template supersedes the rollout (a changed replica count, strategy or any other
     * spec field outside the template does not, although each bumps the generation); a status the controller wrote
     * for an older generation decides nothing; then the kind's own rules, against the replica count wanted now.
     *
     * @param o                 what the workload's status says now
     * @param writtenGeneration the generation the upgrade's write produced
     * @param writtenTemplate   the pod template the upgrade's write produced
     */
    static RolloutStatus evaluate(RolloutObservation o, long writtenGeneration,
            PodTemplateFingerprint writtenTemplate) {
        Objects.requireNonNull(o, "observation");
        if (o.generation() < writtenGeneration) {
            // generations only grow on one object: a lower one is another object under the same name
            return new Superseded("it was deleted and created again after the upgrade (generation " + o.generation()
                    + ", the upgrade wrote " + writtenGeneration + ")");
        }
        if (!o.template().sameTemplate(writtenTemplate)) {
            return new Superseded("its pod template changed after the upgrade: "
                    + o.template().changesSince(writtenTemplate));
        }
        if (o.observedGeneration() < o.generation()) {
            return new InProgress("waiting for the controller to observe generation " + o.generation()
                    + " (its status is of generation " + o.observedGeneration() + ")");
        }
        return switch (o.kind()) {
            case "deployment" -> deployment(o);
            case "statefulset" -> statefulSet(o);
            case "daemonset" -> daemonSet(o);
            default -> throw new IllegalArgumentException("no rollout to follow for a " + o.kind());
        };
    }

    private static RolloutStatus deployment(RolloutObservation o) {
        var progressing = o.condition("Progressing");
        if (progressing.isPresent() && "ProgressDeadlineExceeded".equals(progressing.get().reason())) {
            String message = progressing.get().message();
            return new Failed("ProgressDeadlineExceeded" + (message == null || message.isBlank() ? "" : ": " + message));
        }
        if (o.updated() < o.desired()) {
            return new InProgress(o.updated() + " of " + o.desired() + " replicas updated");
        }
        if (o.total() > o.updated()) {
            return new InProgress((o.total() - o.updated()) + " old replicas pending termination");
        }
        if (o.available() < o.updated()) {
            return new InProgress(o.available() + " of " + o.updated() + " updated replicas available");
        }
        return new Complete(o.desired() + " of " + o.desired() + " replicas updated and available");
    }

    private static RolloutStatus statefulSet(RolloutObservation o) {
        if (!"RollingUpdate".equals(o.strategyType())) {
            return new Untrackable("its update strategy is " + o.strategyType()
                    + ": pods take the new template only when they are deleted");
        }
        if (o.ready() < o.desired()) {
            return new InProgress(o.ready() + " of " + o.desired() + " pods ready");
        }
        if (o.partition() > 0) {
            int expected = Math.max(0, o.desired() - o.partition());
            if (o.updated() < expected) {
                return new InProgress(o.updated() + " of " + expected + " pods above partition " + o.partition()
                        + " updated");
            }
            return new Complete(expected + " pods above partition " + o.partition() + " updated");
        }
        if (o.updateRevision() != null && !o.updateRevision().equals(o.currentRevision())) {
            return new InProgress(o.updated() + " of " + o.desired() + " pods at revision " + o.updateRevision());
        }
        return new Complete(o.desired() + " of " + o.desired() + " pods updated and ready");
    }

    private static RolloutStatus daemonSet(RolloutObservation o) {
        if (!"RollingUpdate".equals(o.strategyType())) {
            return new Untrackable("its update strategy is " + o.strategyType()
                    + ": pods take the new template only when they are deleted");
        }
        if (o.updated() < o.desired()) {
            return new InProgress(o.updated() + " of " + o.desired() + " scheduled pods updated");
        }
        if (o.available() < o.desired()) {
            return new InProgress(o.available() + " of " + o.desired() + " updated pods available");
        }
        return new Complete(o.desired() + " of " + o.desired() + " scheduled pods updated and available");
    }
}
