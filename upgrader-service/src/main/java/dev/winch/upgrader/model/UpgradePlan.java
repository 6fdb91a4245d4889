package dev.winch.upgrader.model;

import dev.winch.common.image.ImageReference;
import dev.winch.common.image.TagPolicy;
import dev.winch.kubernetes.AppliedEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an image push means for one workload, computed without I/O from the checked push and the workload as it is.
 *
 * <p>Which containers: the one the push names (the seed 001 style, whatever image it runs, as the seed's tool did),
 * or else every container whose image is the pushed repository, compared as {@link ImageReference#sameRepository}
 * does ({@code nginx} is {@code docker.io/library/nginx}; another registry host or port is another repository).
 * A container of another repository is left alone. Init containers are never changed.
 *
 * <p>The new image keeps the container's spelling of the repository when it is the pushed one
 * ({@code nginx:1.25} becomes {@code nginx:1.26}), else it is the pushed repository as the registry named it. When
 * no image string changes (the same tag pushed again), the plan asks for a restart through the pod template, as
 * {@code kubectl rollout restart} does; only pods that pull the tag again ({@code imagePullPolicy: Always}, the
 * default for {@code latest}) then run the new push.
 *
 * @param decision what to do
 * @param target   the workload, {@code namespace/kind/name}
 * @param changes  the containers to change (APPLY), in pod-template order
 * @param restart  no image string changes, so the pods must be restarted
 * @param strategy the update strategy to set, or null to keep the workload's
 * @param reason   a sentence for people
 */
public record UpgradePlan(Decision decision, String target, List<ContainerChange> changes, boolean restart,
        RolloutStrategy.Settings strategy, String reason) {

    /** What to do with the workload. */
    public enum Decision {
        /** Write the changes. */
        APPLY,
        /** The event is already recorded on the workload: a redelivery. */
        DUPLICATE,
        /** The policy does not take the pushed tag for what the workload runs. */
        SKIP,
        /** No container of the workload runs the pushed repository. */
        NOOP,
        /** The push cannot apply to this workload (the container it names is not there). */
        FAIL
    }

    public UpgradePlan {
        changes = List.copyOf(changes);
    }

    public static UpgradePlan plan(UpgradeRequest request, WorkloadSnapshot workload) {
        String target = workload.ref().key();
        if (AppliedEvents.contains(workload.annotations(), request.eventId())) {
            return new UpgradePlan(Decision.DUPLICATE, target, List.of(), false, null,
                    "event " + request.eventId() + " was already applied to " + target + "; nothing changed");
        }
        String named = request.explicit() ? request.target().container() : null;
        List<WorkloadSnapshot.Container> candidates;
        if (named != null) {
            candidates = workload.containers().stream().filter(c -> c.name().equals(named)).toList();
            if (candidates.isEmpty()) {
                return new UpgradePlan(Decision.FAIL, target, List.of(), false, null,
                        "container '" + named + "' is not in the pod template of " + target + "; it has "
                                + workload.containers().stream().map(WorkloadSnapshot.Container::name).toList()
                                + "; nothing changed");
            }
        } else {
            candidates = workload.containers().stream()
                    .filter(c -> parse(c.image()).map(request.pushed()::sameRepository).orElse(false))
                    .toList();
            if (candidates.isEmpty()) {
                return new UpgradePlan(Decision.NOOP, target, List.of(), false, null,
                        "no container of " + target + " runs " + request.pushed().familiarRepository() + " ("
                                + workload.describeContainers() + "); it was left alone");
            }
        }

        List<ContainerChange> changes = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (WorkloadSnapshot.Container container : candidates) {
            Optional<ImageReference> current = parse(container.image());
            if (request.policy().comparesWithCurrent()) {
                TagPolicy.Verdict verdict = request.policy().evaluate(request.pushed().tag(),
                        current.map(ImageReference::effectiveTag).orElse(null));
                if (!verdict.taken()) {
                    refused.add("container " + container.name() + ": " + verdict.reason());
                    continue;
                }
            }
            changes.add(new ContainerChange(container.name(), container.image(), newImage(request, current)));
        }
        if (changes.isEmpty()) {
            return new UpgradePlan(Decision.SKIP, target, List.of(), false, null,
                    String.join("; ", refused) + "; " + target + " was not changed");
        }
        boolean restart = changes.stream().noneMatch(ContainerChange::imageChanges);
        RolloutStrategy.Settings strategy = request.strategy() == null ? null
                : request.strategy().forKind(workload.ref().kind());
        return new UpgradePlan(Decision.APPLY, target, changes, restart,
                strategy == null || !strategy.changesAnything() ? null : strategy, reason(target, changes, restart));
    }

    private static String newImage(UpgradeRequest request, Optional<ImageReference> current) {
        ImageReference pushed = request.pushed();
        return current.filter(pushed::sameRepository)
                .map(c -> c.with(pushed.tag(), pushed.digest()))
                .orElse(pushed)
                .toString();
    }

    private static Optional<ImageReference> parse(String image) {
        return image == null ? Optional.empty() : ImageReference.tryParse(image);
    }

    private static String reason(String target, List<ContainerChange> changes, boolean restart) {
        if (restart) {
            return "restarting " + target + " (container" + (changes.size() > 1 ? "s " : " ")
                    + String.join(", ", changes.stream().map(ContainerChange::container).toList())
                    + ") on a new push of " + changes.get(0).newImage();
        }
        if (changes.size() == 1) {
            ContainerChange c = changes.get(0);
            return "setting " + target + " container " + c.container() + " from " + c.oldImage() + " to "
                    + c.newImage();
        }
        return "setting " + target + " containers " + String.join(", ", changes.stream()
                .map(c -> c.container() + " from " + c.oldImage() + " to " + c.newImage()).toList());
    }
}
