package dev.winch.common.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A registry push that a receiver accepted, with everything the upgrader needs to act on it.
 *
 * @param receiverId     the receiver that accepted the push
 * @param repository     the image repository as the registry named it, e.g. {@code hongxiaolu/iperf3} or
 *                       {@code registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook}
 * @param tag            the pushed tag
 * @param digest         the pushed digest ({@code sha256:...}) when the registry sent one, else null
 * @param pusher         who pushed, when known
 * @param payloadFormat  which adapter read the payload: dockerhub, aliyun, harbor, quay, registry, custom
 * @param target         what to upgrade
 */
public record ImagePushed(
        String receiverId,
        String repository,
        String tag,
        String digest,
        String pusher,
        String payloadFormat,
        UpgradeTarget target) implements WinchEvent {

    public ImagePushed {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(target, "target");
    }

    /** The image reference to roll out: {@code repository:tag}. */
    public String image() {
        return repository + ":" + tag;
    }

    /**
     * Pushes of one repository are handled in order, whatever the spelling: {@code nginx} and
     * {@code docker.io/library/nginx} are one key.
     */
    @Override
    public String partitionKey() {
        return dev.winch.common.image.ImageReference.canonicalRepositoryOf(repository);
    }

    /**
     * What a push upgrades. Either an explicit workload and container (the seed 001 trigger-URL style), or a
     * label selector over the allowed namespaces (the Rancher 1.x serviceUpgrade style), and how to roll it out.
     *
     * <p>The components after {@code startFirst} were added later; every one is optional (null keeps the old
     * behaviour), so events written before them read the same.
     *
     * @param workload      the explicit workload, or null for the selector style
     * @param container     the container to change in the explicit style (null: every container of the same
     *                      repository)
     * @param selector      labels a workload must carry in the selector style; an empty value means "key exists"
     * @param namespaces    namespaces the selector may match in (empty: all the receiver may see)
     * @param batchSize     pods replaced at a time, or null to keep the workload's own strategy
     * @param batchIntervalSeconds seconds between batches, or null
     * @param startFirst    start new pods before stopping old ones, or null
     * @param followTag     the tag the receiver follows under the {@code exact} policy (Rancher 1.x serviceUpgrade's
     *                      {@code tag}); null: every pushed tag
     * @param tagPolicy     which pushed tags are taken, as {@code dev.winch.common.image.TagPolicy} reads it:
     *                      {@code exact} (null means exact), {@code semver:major|minor|patch[+prerelease]},
     *                      {@code glob:<pattern>}, {@code regexp:<pattern>}
     * @param pinDigest     when the push carries a digest, set {@code repository:tag@digest} rather than
     *                      {@code repository:tag}; null means false
     * @param rolloutTimeoutSeconds how long the rollout may take before it counts as failed; null: the upgrader's
     *                      default
     * @param rollbackOnFailure on a failed rollout, set the previous images again; null means false
     */
    public record UpgradeTarget(
            WorkloadRef workload,
            String container,
            Map<String, String> selector,
            List<String> namespaces,
            Integer batchSize,
            Integer batchIntervalSeconds,
            Boolean startFirst,
            String followTag,
            String tagPolicy,
            Boolean pinDigest,
            Integer rolloutTimeoutSeconds,
            Boolean rollbackOnFailure) {

        @JsonCreator
        public UpgradeTarget {
            selector = selector == null ? Map.of() : Map.copyOf(selector);
            namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        }

        /** The target as first defined: no followed tag, the exact policy, no pinning, default timeout, no rollback. */
        public UpgradeTarget(WorkloadRef workload, String container, Map<String, String> selector,
                List<String> namespaces, Integer batchSize, Integer batchIntervalSeconds, Boolean startFirst) {
            this(workload, container, selector, namespaces, batchSize, batchIntervalSeconds, startFirst,
                    null, null, null, null, null);
        }

        public static UpgradeTarget explicit(WorkloadRef workload, String container) {
            return new UpgradeTarget(workload, container, Map.of(), List.of(), null, null, null);
        }
    }
}
