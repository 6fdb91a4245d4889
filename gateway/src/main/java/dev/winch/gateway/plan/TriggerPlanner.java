package dev.winch.gateway.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.WinchEvent;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.image.TagPolicy;
import dev.winch.gateway.payload.AlertmanagerPayload;
import dev.winch.gateway.payload.FieldReader;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.payload.Payloads;
import dev.winch.gateway.payload.PushedImage;
import dev.winch.gateway.payload.RegistryPayload;
import dev.winch.gateway.receiver.ReceiverSpec;
import dev.winch.gateway.receiver.TargetNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides what a request to a receiver means, without I/O: the self-contained events to write (the receiver's
 * whole action configuration copied into each), or why nothing is to be done.
 */
public final class TriggerPlanner {

    private TriggerPlanner() {
    }

    /**
     * @param body the parsed JSON body, or null when the request had none
     * @throws InvalidPayloadException when the body or the trigger URL cannot be used
     */
    public static TriggerPlan plan(ReceiverSpec receiver, HookRequest request, JsonNode body)
            throws InvalidPayloadException {
        return switch (receiver.kind()) {
            case SCALE_SERVICE -> scale(body, receiver.scaleService().action(), receiver.scaleService().onResolved(),
                    action -> scaleService(receiver, action));
            case SCALE_HOST -> scale(body, receiver.scaleHost().action(), receiver.scaleHost().onResolved(),
                    action -> scaleHost(receiver, action));
            case SERVICE_UPGRADE -> serviceUpgrade(receiver, request, body);
            case REDEPLOY -> redeploy(receiver, request, body);
        };
    }

    /**
     * A plain POST (no body, or any JSON that is not an Alertmanager notification) triggers the receiver once,
     * as in Rancher 1.x. An Alertmanager notification triggers it once per alert: a firing alert whose
     * {@code action} label names the other direction is skipped (seed 000 routes alerts by that label); a resolved
     * alert does what the receiver's {@code onResolved} says (default: nothing).
     */
    private static TriggerPlan scale(JsonNode body, String action, String onResolved,
            Function<ScaleAction, WinchEvent> event) throws InvalidPayloadException {
        if (body == null || !isAlertmanagerNotification(body)) {
            return new TriggerPlan.Events(List.of(new TriggerPlan.Planned(null, event.apply(direction(action)))),
                    List.of());
        }
        AlertmanagerPayload.AlertBatch batch = AlertmanagerPayload.read(body);
        List<TriggerPlan.Planned> events = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (AlertmanagerPayload.Alert alert : batch.alerts()) {
            String name = alert.labels().getOrDefault("alertname", alert.fingerprint());
            if ("resolved".equals(alert.status())) {
                if ("ignore".equals(onResolved)) {
                    skipped.add("alert " + name + " resolved; this receiver ignores resolved alerts");
                } else {
                    events.add(new TriggerPlan.Planned(alert.deliveryId(), event.apply(direction(onResolved))));
                }
                continue;
            }
            String asked = alert.labels().get("action");
            if (asked != null && !asked.equalsIgnoreCase(action)) {
                skipped.add("alert " + name + " asks for action=" + asked + "; this receiver scales " + action);
                continue;
            }
            events.add(new TriggerPlan.Planned(alert.deliveryId(), event.apply(direction(action))));
        }
        if (events.isEmpty()) {
            return new TriggerPlan.Nothing(String.join("; ", skipped));
        }
        return new TriggerPlan.Events(events, skipped);
    }

    private static WinchEvent scaleService(ReceiverSpec receiver, ScaleAction action) {
        ReceiverSpec.ScaleService s = receiver.scaleService();
        if (s.workload() != null) {
            return new ServiceScaleRequested(receiver.id(), WorkloadRef.parse(s.namespace(), s.workload()), action,
                    s.amount(), s.min(), s.max(), s.cooldownSeconds());
        }
        return new ServiceScaleRequested(receiver.id(), null, action, s.amount(), s.min(), s.max(),
                s.cooldownSeconds(), new ServiceScaleRequested.WorkloadSelector(s.namespace(), s.selector()));
    }

    private static WinchEvent scaleHost(ReceiverSpec receiver, ScaleAction action) {
        ReceiverSpec.ScaleHost s = receiver.scaleHost();
        return new HostScaleRequested(receiver.id(), s.hostSelector(), action, s.amount(), s.min(), s.max(),
                s.deleteOption());
    }

    /**
     * A push is taken when the receiver's tag policy takes its tag. Policies that decide from the pushed tag alone
     * (exact, glob, regexp) are applied here, so a push nobody follows is answered with the reason and writes
     * nothing; semver compares with what each container runs, so the upgrader decides it per container.
     */
    private static TriggerPlan serviceUpgrade(ReceiverSpec receiver, HookRequest request, JsonNode body)
            throws InvalidPayloadException {
        ReceiverSpec.ServiceUpgrade s = receiver.serviceUpgrade();
        TagPolicy policy = TagPolicy.parse(s.tagPolicy(), s.tag());
        List<PushedImage> images = adapter(s.payloadFormat(), "payloadFormat").read(required(body), request);
        List<TriggerPlan.Planned> events = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (PushedImage image : images) {
            if (!policy.comparesWithCurrent()) {
                TagPolicy.Verdict verdict = policy.evaluate(image.tag(), null);
                if (!verdict.taken()) {
                    skipped.add(image.repository() + ":" + image.tag() + ": " + verdict.reason());
                    continue;
                }
            }
            ImagePushed.UpgradeTarget target = new ImagePushed.UpgradeTarget(null, null, s.serviceSelector(),
                    s.namespaces(), s.batchSize(), s.intervalSeconds(), s.startFirst(), s.tag(), s.tagPolicy(),
                    trueOrNull(s.pinDigest()), s.rolloutTimeoutSeconds(), trueOrNull(s.rollbackOnFailure()));
            events.add(new TriggerPlan.Planned(image.deliveryId(), pushed(receiver, image, target)));
        }
        return events.isEmpty()
                ? new TriggerPlan.Nothing(skipped.isEmpty() ? "the payload names no pushed image"
                        : String.join("; ", skipped))
                : new TriggerPlan.Events(events, skipped);
    }

    /** The seed 001 hook: target from the receiver, or from the trigger URL where the receiver leaves it open. */
    private static TriggerPlan redeploy(ReceiverSpec receiver, HookRequest request, JsonNode body)
            throws InvalidPayloadException {
        ReceiverSpec.Redeploy r = receiver.redeploy();
        FieldReader f = new FieldReader();
        String namespace = pinned(r.namespace(), request, "ns", f);
        String workload = pinned(r.workload(), request, "workload", f);
        String container = pinned(r.container(), request, "container", f);
        String repoType = pinned(r.repoType(), request, "repo_type", f);
        if (repoType == null) {
            repoType = "dockerhub";
        }
        // What the URL names reaches Kubernetes: the same rules as a receiver's own target (TargetNames). A
        // receiver's pinned values passed them when it was stored, and are not checked again on every request.
        if (r.namespace() == null && namespace != null) {
            TargetNames.namespace(f, "query.ns", namespace);
        }
        if (r.container() == null && container != null) {
            TargetNames.container(f, "query.container", container);
        }
        WorkloadRef ref = workload == null ? null
                : TargetNames.workload(f, "query.workload", namespace, workload, TargetNames.UPGRADABLE_KINDS);
        f.throwIfAny("the trigger URL does not fit this receiver");
        List<PushedImage> images = adapter(repoType, "query.repo_type").read(required(body), request);
        if (images.isEmpty()) {
            return new TriggerPlan.Nothing("the payload names no pushed image");
        }
        TagPolicy policy = TagPolicy.parse(r.tagPolicy(), null);
        List<TriggerPlan.Planned> events = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (PushedImage image : images) {
            if (!policy.comparesWithCurrent() && !policy.evaluate(image.tag(), null).taken()) {
                skipped.add(image.repository() + ":" + image.tag() + ": "
                        + policy.evaluate(image.tag(), null).reason());
                continue;
            }
            ImagePushed.UpgradeTarget target = new ImagePushed.UpgradeTarget(ref, container, Map.of(), List.of(),
                    null, null, null, null, r.tagPolicy(), trueOrNull(r.pinDigest()), r.rolloutTimeoutSeconds(),
                    trueOrNull(r.rollbackOnFailure()));
            events.add(new TriggerPlan.Planned(image.deliveryId(), pushed(receiver, image, target)));
        }
        return events.isEmpty() ? new TriggerPlan.Nothing(String.join("; ", skipped))
                : new TriggerPlan.Events(events, skipped);
    }

    /** The receiver's value when it pins one (the URL may repeat it, not change it), else the URL's. */
    private static String pinned(String configured, HookRequest request, String param, FieldReader f) {
        String given = request.queryParam(param).orElse(null);
        if (configured != null) {
            if (given != null && !given.equals(configured)) {
                f.error("query." + param, "does not match this receiver");
            }
            return configured;
        }
        if (given == null && !param.equals("repo_type")) {
            f.error("query." + param, "is required by this receiver");
        }
        return given;
    }

    private static ImagePushed pushed(ReceiverSpec receiver, PushedImage image, ImagePushed.UpgradeTarget target) {
        return new ImagePushed(receiver.id(), image.repository(), image.tag(), image.digest(), image.pusher(),
                image.format(), target);
    }

    private static RegistryPayload adapter(String format, String field) throws InvalidPayloadException {
        return Payloads.forFormat(format.toLowerCase(Locale.ROOT)).orElseThrow(() -> new InvalidPayloadException(
                "unsupported payload format", List.of(new FieldError(field, "must be one of "
                        + String.join(", ", Payloads.formats().stream().sorted().toList())))));
    }

    private static JsonNode required(JsonNode body) throws InvalidPayloadException {
        if (body == null) {
            throw new InvalidPayloadException("a registry push payload is required",
                    List.of(new FieldError("$", "the body is empty")));
        }
        return body;
    }

    /** Options that are off travel as absent, so events stay as small as the receiver's configuration. */
    private static Boolean trueOrNull(boolean value) {
        return value ? Boolean.TRUE : null;
    }

    /** Alertmanager's webhook body: a {@code version} and an {@code alerts} list. */
    static boolean isAlertmanagerNotification(JsonNode body) {
        return body.isObject() && body.has("version") && body.path("alerts").isArray();
    }

    private static ScaleAction direction(String action) {
        return ScaleAction.valueOf(action.toUpperCase(Locale.ROOT));
    }
}
