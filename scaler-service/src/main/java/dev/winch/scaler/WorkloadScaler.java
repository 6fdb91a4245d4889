package dev.winch.scaler;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.kubernetes.AppliedEvents;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies a scale request to a Deployment or StatefulSet. The new replica count and the event id are written in
 * one update of the object (not through the scale subresource, which cannot carry the annotation), with the
 * resourceVersion it was read at; a conflict re-reads and re-plans. Blocking: runs on the worker pool.
 */
final class WorkloadScaler {

    private static final int MAX_CONFLICT_RETRIES = 5;

    private final KubernetesClient client;
    private final Clock clock;

    WorkloadScaler(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    ActionResult apply(Event<ServiceScaleRequested> event) {
        Instant started = clock.instant();
        ServiceScaleRequested request = event.data();
        WorkloadRef ref = request.target();
        for (int attempt = 1; ; attempt++) {
            HasMetadata workload;
            switch (ref.kind()) {
                case "deployment" -> workload = client.apps().deployments().inNamespace(ref.namespace())
                        .withName(ref.name()).get();
                case "statefulset" -> workload = client.apps().statefulSets().inNamespace(ref.namespace())
                        .withName(ref.name()).get();
                default -> {
                    return result(event, Outcome.FAILED, "a " + ref.kind() + " cannot be scaled", Map.of(), started);
                }
            }
            if (workload == null) {
                return result(event, Outcome.FAILED, ref.key() + " does not exist", Map.of(), started);
            }
            Map<String, String> annotations = new HashMap<>(
                    Optional.ofNullable(workload.getMetadata().getAnnotations()).orElse(Map.of()));
            if (AppliedEvents.contains(annotations, event.id())) {
                return result(event, Outcome.DUPLICATE, "event " + event.id() + " was already applied to "
                        + ref.key(), Map.of(), started);
            }
            int current = replicas(workload);
            ScalePlan plan = ScalePlan.plan(current, request);
            Map<String, String> details = Map.of("from", String.valueOf(plan.from()), "to", String.valueOf(plan.to()),
                    "clamped", String.valueOf(plan.clamped()));
            if (!plan.changes()) {
                return result(event, Outcome.NOOP, ref.key() + " is already at " + current + " replicas, the "
                        + (request.action().name().equals("UP") ? "maximum " + request.max()
                                : "minimum " + request.min()), details, started);
            }
            setReplicas(workload, plan.to());
            annotations.put(AppliedEvents.ANNOTATION, AppliedEvents.append(annotations, List.of(event.id())));
            workload.getMetadata().setAnnotations(annotations);
            try {
                client.resource(workload).update();
                return result(event, Outcome.APPLIED, "scaled " + ref.key() + " from " + plan.from() + " to "
                        + plan.to() + (plan.clamped() ? " (held at its bound)" : ""), details, started);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= MAX_CONFLICT_RETRIES) {
                    return result(event, Outcome.FAILED, "the update of " + ref.key() + " was refused ("
                            + e.getCode() + "): " + e.getMessage(), details, started);
                }
            }
        }
    }

    private static int replicas(HasMetadata workload) {
        Integer replicas = workload instanceof Deployment d ? d.getSpec().getReplicas()
                : ((StatefulSet) workload).getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    private static void setReplicas(HasMetadata workload, int replicas) {
        if (workload instanceof Deployment d) {
            d.getSpec().setReplicas(replicas);
        } else {
            ((StatefulSet) workload).getSpec().setReplicas(replicas);
        }
    }

    private ActionResult result(Event<ServiceScaleRequested> event, Outcome outcome, String reason,
            Map<String, String> details, Instant started) {
        return new ActionResult(event.id(), event.type().type(), event.data().receiverId(),
                event.data().target().key(), outcome, reason, details, started, clock.instant(), "scaler");
    }
}
