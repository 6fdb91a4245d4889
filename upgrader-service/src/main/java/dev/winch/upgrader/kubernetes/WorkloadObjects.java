package dev.winch.upgrader.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.winch.common.event.WorkloadRef;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.kubernetes.WorkloadKind;
import dev.winch.upgrader.model.ContainerChange;
import dev.winch.upgrader.model.PodTemplateFingerprint;
import dev.winch.upgrader.model.RollbackPlan;
import dev.winch.upgrader.model.RolloutObservation;
import dev.winch.upgrader.model.RolloutStrategy;
import dev.winch.upgrader.model.UpgradePlan;
import dev.winch.upgrader.model.WorkloadSnapshot;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateStatefulSetStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the upgrader reads from and writes into a workload object, without I/O: the plain values of the model
 * ({@link WorkloadSnapshot}, {@link RolloutObservation}, {@link PodTemplateFingerprint}) from a Deployment,
 * StatefulSet or DaemonSet, and the changes an {@link UpgradePlan} or a {@link RollbackPlan.Restore} makes to it.
 * The kind-specific parts (update strategy, rollout status) differ in their fabric8 types, hence the switches on
 * {@link WorkloadKind}; everything else goes through the kind's pod template.
 */
public final class WorkloadObjects {

    /** The pod-template annotation {@code kubectl rollout restart} sets; changing it rolls the pods. */
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    private static final ObjectMapper CANONICAL_JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private WorkloadObjects() {
    }


    public static WorkloadRef ref(HasMetadata workload) {
        return WorkloadKind.ofWorkload(workload).ref(workload);
    }

    public static long generation(HasMetadata workload) {
        Long generation = workload.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    public static WorkloadSnapshot snapshot(HasMetadata workload) {
        List<WorkloadSnapshot.Container> containers = template(workload).getSpec().getContainers().stream()
                .map(c -> new WorkloadSnapshot.Container(c.getName(), c.getImage()))
                .toList();
        return new WorkloadSnapshot(ref(workload), workload.getMetadata().getLabels(),
                workload.getMetadata().getAnnotations(), containers);
    }

    /**
     * Changes the object as the plan says: the containers' images, the restart annotation, the update strategy,
     * and the event id among the applied events; all in the one write that follows.
     */
    public static void apply(HasMetadata workload, UpgradePlan plan, String eventId, Instant now) {
        PodTemplateSpec template = template(workload);
        for (ContainerChange change : plan.changes()) {
            container(template, change.container()).ifPresent(c -> c.setImage(change.newImage()));
        }
        if (plan.restart()) {
            if (template.getMetadata() == null) {
                template.setMetadata(new ObjectMeta());
            }
            Map<String, String> podAnnotations = mutable(template.getMetadata().getAnnotations());
            podAnnotations.put(RESTARTED_AT, now.toString());
            template.getMetadata().setAnnotations(podAnnotations);
        }
        if (plan.strategy() != null) {
            strategy(workload, plan.strategy());
        }
        Map<String, String> annotations = mutable(workload.getMetadata().getAnnotations());
        annotations.put(AppliedEvents.ANNOTATION, AppliedEvents.append(annotations, List.of(eventId)));
        workload.getMetadata().setAnnotations(annotations);
    }

    /**
     * Sets the containers the rollback plan names back to their previous images, on the object as read: whatever else
     * it carries (a replica count someone set since the upgrade) is written back unchanged.
     */
    public static void restore(HasMetadata workload, RollbackPlan.Restore plan) {
        PodTemplateSpec template = template(workload);
        for (ContainerChange change : plan.containers()) {
            container(template, change.container()).ifPresent(c -> c.setImage(change.oldImage()));
        }
    }

    /**
     * The pod template's fingerprint: a SHA-256 of its canonical JSON (keys sorted, so two reads of one template
     * agree), its images and its restart annotation.
     */
    public static PodTemplateFingerprint fingerprint(HasMetadata workload) {
        PodTemplateSpec template = template(workload);
        Map<String, String> images = new LinkedHashMap<>();
        template.getSpec().getContainers().forEach(c -> images.put(c.getName(), c.getImage()));
        Map<String, String> annotations = template.getMetadata() == null ? null
                : template.getMetadata().getAnnotations();
        return new PodTemplateFingerprint(digest(template), images,
                annotations == null ? null : annotations.get(RESTARTED_AT));
    }

    private static String digest(PodTemplateSpec template) {
        try {
            // through plain maps, so that ORDER_MAP_ENTRIES_BY_KEYS sorts every level, labels and annotations too
            Object tree = CANONICAL_JSON.convertValue(template, Object.class);
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(CANONICAL_JSON.writeValueAsBytes(tree));
            return HexFormat.of().formatHex(hash);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest a pod template", e);
        }
    }

    /** The rollout state of the workload, as its status reports it. */
    public static RolloutObservation observe(HasMetadata workload) {
        long generation = generation(workload);
        PodTemplateFingerprint template = fingerprint(workload);
        WorkloadKind kind = WorkloadKind.ofWorkload(workload);
        if (!kind.hasRolloutStatus()) {
            throw new IllegalArgumentException("a " + kind.kind() + " has no rollout status");
        }
        if (kind == WorkloadKind.DEPLOYMENT) {
            Deployment d = (Deployment) workload;
            DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
            DeploymentStrategy strategy = d.getSpec().getStrategy();
            return new RolloutObservation(kind.kind(), generation, number(s.getObservedGeneration()), template,
                    strategy == null || strategy.getType() == null ? "RollingUpdate" : strategy.getType(),
                    kind.replicas(d), number(s.getUpdatedReplicas()), number(s.getReadyReplicas()),
                    number(s.getAvailableReplicas()), number(s.getReplicas()), null, null, 0,
                    s.getConditions() == null ? List.of() : s.getConditions().stream()
                            .map(c -> new RolloutObservation.Condition(c.getType(), c.getStatus(), c.getReason(),
                                    c.getMessage()))
                            .toList());
        }
        if (kind == WorkloadKind.STATEFULSET) {
            StatefulSet set = (StatefulSet) workload;
            StatefulSetStatus s = set.getStatus() == null ? new StatefulSetStatus() : set.getStatus();
            StatefulSetUpdateStrategy strategy = set.getSpec().getUpdateStrategy();
            Integer partition = strategy == null || strategy.getRollingUpdate() == null ? null
                    : strategy.getRollingUpdate().getPartition();
            return new RolloutObservation(kind.kind(), generation, number(s.getObservedGeneration()), template,
                    strategy == null || strategy.getType() == null ? "RollingUpdate" : strategy.getType(),
                    kind.replicas(set), number(s.getUpdatedReplicas()),
                    number(s.getReadyReplicas()), number(s.getAvailableReplicas()), number(s.getReplicas()),
                    s.getCurrentRevision(), s.getUpdateRevision(), partition == null ? 0 : partition,
                    s.getConditions() == null ? List.of() : s.getConditions().stream()
                            .map(c -> new RolloutObservation.Condition(c.getType(), c.getStatus(), c.getReason(),
                                    c.getMessage()))
                            .toList());
        }
        DaemonSet set = (DaemonSet) workload;
        DaemonSetStatus s = set.getStatus() == null ? new DaemonSetStatus() : set.getStatus();
        DaemonSetUpdateStrategy strategy = set.getSpec().getUpdateStrategy();
        return new RolloutObservation(kind.kind(), generation, number(s.getObservedGeneration()), template,
                strategy == null || strategy.getType() == null ? "RollingUpdate" : strategy.getType(),
                number(s.getDesiredNumberScheduled()), number(s.getUpdatedNumberScheduled()),
                number(s.getNumberReady()), number(s.getNumberAvailable()), number(s.getCurrentNumberScheduled()),
                null, null, 0,
                s.getConditions() == null ? List.of() : s.getConditions().stream()
                        .map(c -> new RolloutObservation.Condition(c.getType(), c.getStatus(), c.getReason(),
                                c.getMessage()))
                        .toList());
    }

    static PodTemplateSpec template(HasMetadata workload) {
        return WorkloadKind.ofWorkload(workload).podTemplate(workload);
    }

    private static void strategy(HasMetadata workload, RolloutStrategy.Settings settings) {
        WorkloadKind kind = WorkloadKind.ofWorkload(workload);
        if (kind == WorkloadKind.DEPLOYMENT) {
            Deployment d = (Deployment) workload;
            if (settings.maxSurge() != null || settings.maxUnavailable() != null) {
                DeploymentStrategy strategy = d.getSpec().getStrategy() == null ? new DeploymentStrategy()
                        : d.getSpec().getStrategy();
                strategy.setType("RollingUpdate");
                RollingUpdateDeployment rolling = strategy.getRollingUpdate() == null ? new RollingUpdateDeployment()
                        : strategy.getRollingUpdate();
                rolling.setMaxSurge(intOrString(settings.maxSurge(), rolling.getMaxSurge()));
                rolling.setMaxUnavailable(intOrString(settings.maxUnavailable(), rolling.getMaxUnavailable()));
                strategy.setRollingUpdate(rolling);
                d.getSpec().setStrategy(strategy);
            }
            if (settings.minReadySeconds() != null) {
                d.getSpec().setMinReadySeconds(settings.minReadySeconds());
            }
        } else if (kind == WorkloadKind.STATEFULSET) {
            StatefulSet s = (StatefulSet) workload;
            if (settings.maxUnavailable() != null) {
                StatefulSetUpdateStrategy strategy = s.getSpec().getUpdateStrategy() == null
                        ? new StatefulSetUpdateStrategy() : s.getSpec().getUpdateStrategy();
                strategy.setType("RollingUpdate");
                RollingUpdateStatefulSetStrategy rolling = strategy.getRollingUpdate() == null
                        ? new RollingUpdateStatefulSetStrategy() : strategy.getRollingUpdate();
                rolling.setMaxUnavailable(new IntOrString(settings.maxUnavailable()));
                strategy.setRollingUpdate(rolling);
                s.getSpec().setUpdateStrategy(strategy);
            }
            if (settings.minReadySeconds() != null) {
                s.getSpec().setMinReadySeconds(settings.minReadySeconds());
            }
        } else if (kind == WorkloadKind.DAEMONSET) {
            DaemonSet d = (DaemonSet) workload;
            if (settings.maxSurge() != null || settings.maxUnavailable() != null) {
                DaemonSetUpdateStrategy strategy = d.getSpec().getUpdateStrategy() == null
                        ? new DaemonSetUpdateStrategy() : d.getSpec().getUpdateStrategy();
                strategy.setType("RollingUpdate");
                RollingUpdateDaemonSet rolling = strategy.getRollingUpdate() == null ? new RollingUpdateDaemonSet()
                        : strategy.getRollingUpdate();
                rolling.setMaxSurge(intOrString(settings.maxSurge(), rolling.getMaxSurge()));
                rolling.setMaxUnavailable(intOrString(settings.maxUnavailable(), rolling.getMaxUnavailable()));
                strategy.setRollingUpdate(rolling);
                d.getSpec().setUpdateStrategy(strategy);
            }
            if (settings.minReadySeconds() != null) {
                d.getSpec().setMinReadySeconds(settings.minReadySeconds());
            }
        }
    }

    private static Optional<Container> container(PodTemplateSpec template, String name) {
        return template.getSpec().getContainers().stream().filter(c -> c.getName().equals(name)).findFirst();
    }

    private static IntOrString intOrString(Integer value, IntOrString current) {
        return value == null ? current : new IntOrString(value);
    }

    private static Map<String, String> mutable(Map<String, String> map) {
        return map == null ? new HashMap<>() : new HashMap<>(map);
    }

    private static int number(Integer value) {
        return value == null ? 0 : value;
    }

    private static long number(Long value) {
        return value == null ? 0 : value;
    }

}
