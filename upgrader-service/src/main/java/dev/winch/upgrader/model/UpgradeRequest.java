package dev.winch.upgrader.model;

import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.ImagePushed.UpgradeTarget;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.image.ImageReference;
import dev.winch.common.image.TagPolicy;
import java.time.Duration;
import java.util.Set;

/**
 * An image push checked once, before any workload is read: the pushed image parsed, the receiver's policy and
 * rollout settings read. {@link #check} says whether there is anything to do at all.
 *
 * @param eventId           the event's id, recorded on every workload it changes
 * @param push              the event's data
 * @param pushed            the pushed repository with the pushed tag, and the digest when one is to be pinned
 * @param digest            the pushed digest when it is valid, else null (pinned only with {@code pinDigest})
 * @param policy            which pushed tags are taken
 * @param strategy          the receiver's rollout settings, or null to keep each workload's own
 * @param rolloutTimeout    how long a rollout may take before it counts as failed
 * @param rollbackOnFailure set the previous images again when a rollout fails
 */
public record UpgradeRequest(String eventId, ImagePushed push, ImageReference pushed, String digest,
        TagPolicy policy, RolloutStrategy strategy, Duration rolloutTimeout, boolean rollbackOnFailure) {

    /** The kinds whose pod template an upgrade changes. */
    public static final Set<String> KINDS = Set.of("deployment", "statefulset", "daemonset");

    /** What a push asks for, decided from the push alone. */
    public sealed interface Check {
    }

    /** Something to do: find the workloads and plan each. */
    public record Valid(UpgradeRequest request) implements Check {
    }

    /** The push cannot be used (bad image reference, bad policy...): a failed result, nothing changes. */
    public record Invalid(String reason) implements Check {
    }

    /** The policy does not take the pushed tag, whatever the workloads run: a skipped result, nothing changes. */
    public record NotTaken(String reason) implements Check {
    }

    public UpgradeTarget target() {
        return push.target();
    }

    /** True for the seed 001 style that names its workload; false for the Rancher 1.x selector style. */
    public boolean explicit() {
        return push.target().workload() != null;
    }

    /** What a result about the whole push is about: the named workload, else the pushed repository. */
    public String subject() {
        return explicit() ? push.target().workload().key() : push.repository();
    }

    /**
     * @param defaultTimeout the rollout timeout when the receiver gives none
     */
    public static Check check(String eventId, ImagePushed push, Duration defaultTimeout) {
        UpgradeTarget target = push.target();
        WorkloadRef workload = target.workload();
        if (workload != null && !KINDS.contains(workload.kind())) {
            return new Invalid("a " + workload.kind() + " cannot be upgraded directly; name a deployment, "
                    + "statefulset or daemonset");
        }
        if (workload == null && target.selector().isEmpty()) {
            return new Invalid("the push names neither a workload nor a label selector; an empty selector would "
                    + "upgrade every workload, so nothing is done");
        }
        ImageReference repository;
        try {
            repository = ImageReference.parseRepository(push.repository());
        } catch (IllegalArgumentException e) {
            return new Invalid("the pushed repository does not parse: " + e.getMessage());
        }
        if (!ImageReference.isTag(push.tag())) {
            return new Invalid("the pushed tag '" + push.tag() + "' is not a valid image tag");
        }
        boolean pin = Boolean.TRUE.equals(target.pinDigest());
        String digest = push.digest();
        if (digest != null && !ImageReference.isDigest(digest)) {
            if (pin) {
                return new Invalid("the pushed digest '" + digest + "' is not a valid digest, so it cannot be pinned");
            }
            digest = null;
        }
        TagPolicy policy;
        try {
            policy = TagPolicy.parse(target.tagPolicy(), target.followTag());
        } catch (IllegalArgumentException e) {
            return new Invalid(e.getMessage());
        }
        RolloutStrategy strategy = RolloutStrategy.of(target);
        if (strategy != null && strategy.problem() != null) {
            return new Invalid(strategy.problem());
        }
        Integer timeoutSeconds = target.rolloutTimeoutSeconds();
        if (timeoutSeconds != null && timeoutSeconds < 1) {
            return new Invalid("rollout timeout must be at least 1 second, got " + timeoutSeconds);
        }
        if (!policy.comparesWithCurrent()) {
            TagPolicy.Verdict verdict = policy.evaluate(push.tag(), null);
            if (!verdict.taken()) {
                return new NotTaken(verdict.reason() + "; nothing was changed");
            }
        }
        ImageReference pushed = repository.with(push.tag(), pin ? digest : null);
        return new Valid(new UpgradeRequest(eventId, push, pushed, digest, policy, strategy,
                timeoutSeconds == null ? defaultTimeout : Duration.ofSeconds(timeoutSeconds),
                Boolean.TRUE.equals(target.rollbackOnFailure())));
    }
}
