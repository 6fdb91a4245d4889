package dev.winch.local.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KEDA's objects, checked against the fields of its {@code keda.sh/v1alpha1} API as KEDA documents them: KEDA
 * publishes no Java model to parse them into. Known fields only, required ones present, trigger metadata as strings
 * (the CRD declares a map of strings: a number there is refused by the API server).
 */
final class KedaObjects {

    private static final Set<String> SCALED_OBJECT_SPEC = Set.of("scaleTargetRef", "pollingInterval",
            "cooldownPeriod", "initialCooldownPeriod", "idleReplicaCount", "minReplicaCount", "maxReplicaCount",
            "fallback", "advanced", "triggers");
    private static final Set<String> SCALE_TARGET_REF = Set.of("apiVersion", "kind", "name", "envSourceContainerName");
    private static final Set<String> TRIGGER = Set.of("type", "name", "metadata", "authenticationRef", "metricType",
            "useCachedMetrics");
    private static final Set<String> AUTHENTICATION_REF = Set.of("name", "kind");
    private static final Set<String> ADVANCED = Set.of("horizontalPodAutoscalerConfig",
            "restoreToOriginalReplicaCount", "scalingModifiers");
    private static final Set<String> HPA_CONFIG = Set.of("name", "behavior");
    private static final Set<String> TRIGGER_AUTHENTICATION_SPEC = Set.of("secretTargetRef", "env",
            "configMapTargetRef", "podIdentity", "hashiCorpVault", "azureKeyVault", "awsSecretManager",
            "gcpSecretManager", "boundServiceAccountToken");
    private static final Set<String> SECRET_TARGET_REF = Set.of("parameter", "name", "key");
    /** The Kafka scaler's metadata this project sets; the scaler needs the first three. */
    static final List<String> KAFKA_TRIGGER_REQUIRED = List.of("bootstrapServers", "consumerGroup", "topic");
    private static final Set<String> KAFKA_TRIGGER_METADATA = Set.of("bootstrapServers", "consumerGroup", "topic",
            "lagThreshold", "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers",
            "scaleToZeroOnInvalidOffset", "excludePersistentLag", "limitToPartitionsWithLag", "sasl", "tls");
    private static final Set<String> KAFKA_AUTH_PARAMETERS = Set.of("sasl", "username", "password", "tls", "ca",
            "cert", "key", "keyPassword");

    private KedaObjects() {
    }

    /** Throws an AssertionError listing every problem of a KEDA object. */
    static void check(JsonNode doc) {
        List<String> problems = new ArrayList<>();
        switch (doc.path("kind").asText()) {
            case "ScaledObject" -> scaledObject(doc.path("spec"), problems);
            case "TriggerAuthentication" -> triggerAuthentication(doc.path("spec"), problems);
            default -> problems.add("not a KEDA kind this project uses: " + doc.path("kind").asText());
        }
        known(doc, Set.of("apiVersion", "kind", "metadata", "spec"), "", problems);
        if (!problems.isEmpty()) {
            throw new AssertionError(Models.id(doc) + ": " + String.join("; ", problems));
        }
    }

    private static void scaledObject(JsonNode spec, List<String> problems) {
        known(spec, SCALED_OBJECT_SPEC, "spec", problems);
        known(spec.path("scaleTargetRef"), SCALE_TARGET_REF, "spec.scaleTargetRef", problems);
        required(spec.path("scaleTargetRef"), "name", "spec.scaleTargetRef", problems);
        for (String count : List.of("minReplicaCount", "maxReplicaCount", "pollingInterval", "cooldownPeriod")) {
            if (spec.has(count) && !spec.path(count).isIntegralNumber()) {
                problems.add("spec." + count + " must be an integer");
            }
        }
        known(spec.path("advanced"), ADVANCED, "spec.advanced", problems);
        known(spec.path("advanced").path("horizontalPodAutoscalerConfig"), HPA_CONFIG,
                "spec.advanced.horizontalPodAutoscalerConfig", problems);
        if (!spec.path("triggers").isArray() || spec.path("triggers").isEmpty()) {
            problems.add("spec.triggers must be a non-empty list");
        }
        int i = 0;
        for (JsonNode trigger : spec.path("triggers")) {
            String path = "spec.triggers[" + i++ + "]";
            known(trigger, TRIGGER, path, problems);
            required(trigger, "type", path, problems);
            required(trigger, "metadata", path, problems);
            known(trigger.path("authenticationRef"), AUTHENTICATION_REF, path + ".authenticationRef", problems);
            for (Map.Entry<String, JsonNode> entry : trigger.path("metadata").properties()) {
                if (!entry.getValue().isTextual()) {
                    problems.add(path + ".metadata." + entry.getKey() + " must be a string");
                }
            }
            if (trigger.path("type").asText().equals("kafka")) {
                known(trigger.path("metadata"), KAFKA_TRIGGER_METADATA, path + ".metadata", problems);
                KAFKA_TRIGGER_REQUIRED.forEach(key -> required(trigger.path("metadata"), key, path + ".metadata",
                        problems));
            }
        }
    }

    private static void triggerAuthentication(JsonNode spec, List<String> problems) {
        known(spec, TRIGGER_AUTHENTICATION_SPEC, "spec", problems);
        int i = 0;
        for (JsonNode ref : spec.path("secretTargetRef")) {
            String path = "spec.secretTargetRef[" + i++ + "]";
            known(ref, SECRET_TARGET_REF, path, problems);
            SECRET_TARGET_REF.forEach(field -> required(ref, field, path, problems));
            if (!KAFKA_AUTH_PARAMETERS.contains(ref.path("parameter").asText())) {
                problems.add(path + ".parameter " + ref.path("parameter").asText()
                        + " is not one of the Kafka scaler's " + KAFKA_AUTH_PARAMETERS);
            }
        }
    }

    private static void known(JsonNode node, Set<String> fields, String path, List<String> problems) {
        node.properties().forEach(e -> {
            if (!fields.contains(e.getKey())) {
                problems.add("unknown field " + (path.isEmpty() ? "" : path + ".") + e.getKey());
            }
        });
    }

    private static void required(JsonNode node, String field, String path, List<String> problems) {
        if (node.path(field).isMissingNode() || node.path(field).isNull()
                || (node.path(field).isTextual() && node.path(field).asText().isBlank())) {
            problems.add(path + "." + field + " is required");
        }
    }
}
