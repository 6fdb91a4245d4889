package dev.winch.upgrader;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.kubernetes.AppliedEvents;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies an image push to the workload it names: read, plan, write the new image and the event id in one
 * update, retry on a conflict. Blocking: runs on the worker pool.
 */
final class ImageUpgrader {

    /** The pod-template annotation {@code kubectl rollout restart} uses; changing it rolls the pods. */
    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    private static final int MAX_CONFLICT_RETRIES = 5;

    private final WorkloadOperations workloads;
    private final Clock clock;

    ImageUpgrader(WorkloadOperations workloads, Clock clock) {
        this.workloads = workloads;
        this.clock = clock;
    }

    ActionResult apply(Event<ImagePushed> event) {
        Instant started = clock.instant();
        ImagePushed push = event.data();
        WorkloadRef ref = push.target().workload();
        if (ref == null) {
            return result(event, "", Outcome.FAILED,
                    "this upgrader applies pushes that name their workload; the event names none", Map.of(), started);
        }
        for (int attempt = 1; ; attempt++) {
            Optional<HasMetadata> found;
            try {
                found = workloads.get(ref);
            } catch (IllegalArgumentException e) {
                return result(event, ref.key(), Outcome.FAILED, e.getMessage(), Map.of(), started);
            }
            if (found.isEmpty()) {
                return result(event, ref.key(), Outcome.FAILED, ref.key() + " does not exist", Map.of(), started);
            }
            HasMetadata workload = found.get();
            PodTemplateSpec template = WorkloadOperations.template(workload);
            UpgradePlan plan = UpgradePlan.plan(event.id(), push, snapshot(ref, workload, template));
            Map<String, String> details = details(plan);
            switch (plan.decision()) {
                case DUPLICATE:
                    return result(event, ref.key(), Outcome.DUPLICATE, plan.reason(), details, started);
                case FAILED:
                    return result(event, ref.key(), Outcome.FAILED, plan.reason(), details, started);
                default:
                    break;
            }
            change(workload, template, plan, event.id());
            try {
                workloads.update(workload);
                return result(event, ref.key(), Outcome.APPLIED, plan.reason(), details, started);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= MAX_CONFLICT_RETRIES) {
                    return result(event, ref.key(), Outcome.FAILED,
                            "the update of " + ref.key() + " was refused (" + e.getCode() + "): " + e.getMessage(),
                            details, started);
                }
                // someone changed the workload since we read it: read again and re-plan
            }
        }
    }

    private void change(HasMetadata workload, PodTemplateSpec template, UpgradePlan plan, String eventId) {
        for (Container container : template.getSpec().getContainers()) {
            if (container.getName().equals(plan.container())) {
                container.setImage(plan.newImage());
            }
        }
        if (plan.restart()) {
            Map<String, String> podAnnotations = new HashMap<>(Optional.ofNullable(
                    template.getMetadata().getAnnotations()).orElse(Map.of()));
            podAnnotations.put(RESTARTED_AT, clock.instant().toString());
            template.getMetadata().setAnnotations(podAnnotations);
        }
        Map<String, String> annotations = new HashMap<>(Optional.ofNullable(
                workload.getMetadata().getAnnotations()).orElse(Map.of()));
        annotations.put(AppliedEvents.ANNOTATION, AppliedEvents.append(annotations, List.of(eventId)));
        workload.getMetadata().setAnnotations(annotations);
    }

    private static UpgradePlan.Workload snapshot(WorkloadRef ref, HasMetadata workload, PodTemplateSpec template) {
        Map<String, String> images = new LinkedHashMap<>();
        template.getSpec().getContainers().forEach(c -> images.put(c.getName(), c.getImage()));
        return new UpgradePlan.Workload(ref.key(), images, workload.getMetadata().getAnnotations());
    }

    private static Map<String, String> details(UpgradePlan plan) {
        Map<String, String> details = new LinkedHashMap<>();
        if (plan.container() != null) {
            details.put("container", plan.container());
        }
        if (plan.oldImage() != null) {
            details.put("oldImage", plan.oldImage());
        }
        details.put("newImage", plan.newImage());
        details.put("restart", String.valueOf(plan.restart()));
        return details;
    }

    private ActionResult result(Event<ImagePushed> event, String target, Outcome outcome, String reason,
            Map<String, String> details, Instant started) {
        return new ActionResult(event.id(), event.type().type(), event.data().receiverId(), target, outcome, reason,
                details, started, clock.instant(), "upgrader");
    }
}
