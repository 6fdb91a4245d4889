package dev.winch.gateway.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.kubernetes.KubernetesNames;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.payload.JsonBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Typed reads from a JSON object that collect every problem with its field path. */
public final class Fields {

    private final List<FieldError> errors = new ArrayList<>();

    String text(JsonNode parent, String path, String field, boolean required) {
        JsonNode node = parent == null ? null : parent.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                error(path + field, "is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            error(path + field, "must be a string");
            return null;
        }
        String raw = node.asText();
        if (JsonBodies.hasControlCharacter(raw)) {
            // Trimming would turn "demo" and a NUL into "demo": a value is refused, not cleaned.
            error(path + field, "must not contain control characters");
            return null;
        }
        String value = raw.strip();
        if (value.isEmpty() && required) {
            error(path + field, "must not be empty");
            return null;
        }
        return value.isEmpty() ? null : value;
    }

    String oneOf(JsonNode parent, String path, String field, Set<String> allowed, String defaultValue) {
        String value = text(parent, path, field, defaultValue == null);
        if (value == null) {
            return defaultValue;
        }
        if (!allowed.contains(value)) {
            error(path + field, "must be one of " + String.join(", ", allowed.stream().sorted().toList()));
            return defaultValue;
        }
        return value;
    }

    int integer(JsonNode parent, String path, String field, Integer defaultValue, int min, int max) {
        JsonNode node = parent == null ? null : parent.get(field);
        if (node == null || node.isNull()) {
            if (defaultValue == null) {
                error(path + field, "is required");
                return min;
            }
            return defaultValue;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            error(path + field, "must be a whole number");
            return min;
        }
        int value = node.asInt();
        if (value < min || value > max) {
            error(path + field, "must be between " + min + " and " + max);
        }
        return value;
    }

    /** An optional whole number: null when absent. */
    Integer optionalInteger(JsonNode parent, String path, String field, int min, int max) {
        JsonNode node = parent == null ? null : parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        return integer(parent, path, field, null, min, max);
    }

    /** An optional true/false: null when absent. */
    Boolean optionalBool(JsonNode parent, String path, String field) {
        JsonNode node = parent == null ? null : parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        return bool(parent, path, field, false);
    }

    double number(JsonNode parent, String path, String field, double defaultValue, double min, double max) {
        JsonNode node = parent == null ? null : parent.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        if (!node.isNumber()) {
            error(path + field, "must be a number");
            return defaultValue;
        }
        double value = node.asDouble();
        if (value < min || value > max) {
            error(path + field, "must be between " + min + " and " + max);
        }
        return value;
    }

    boolean bool(JsonNode parent, String path, String field, boolean defaultValue) {
        JsonNode node = parent == null ? null : parent.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        if (!node.isBoolean()) {
            error(path + field, "must be true or false");
            return defaultValue;
        }
        return node.asBoolean();
    }

    Map<String, String> labels(JsonNode parent, String path, String field, boolean required) {
        JsonNode node = parent == null ? null : parent.get(field);
        Map<String, String> labels = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            if (required) {
                error(path + field, "is required");
            }
            return labels;
        }
        if (!node.isObject()) {
            error(path + field, "must be an object of label keys to values");
            return labels;
        }
        node.properties().forEach(e -> {
            String at = path + field + "." + e.getKey();
            Optional<String> keyProblem = KubernetesNames.labelKeyProblem(e.getKey());
            if (keyProblem.isPresent()) {
                error(at, "is not a valid label key: " + keyProblem.get());
            } else if (!e.getValue().isTextual()) {
                error(at, "must be a string (empty: the key must exist)");
            } else {
                KubernetesNames.labelValueProblem(e.getValue().asText()).ifPresentOrElse(
                        problem -> error(at, "is not a valid label value: " + problem),
                        () -> labels.put(e.getKey(), e.getValue().asText()));
            }
        });
        if (required && labels.isEmpty() && errors.isEmpty()) {
            error(path + field, "must name at least one label");
        }
        return labels;
    }

    List<String> strings(JsonNode parent, String path, String field) {
        JsonNode node = parent == null ? null : parent.get(field);
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isArray()) {
            error(path + field, "must be a list of strings");
            return values;
        }
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual() || node.get(i).asText().isBlank()) {
                error(path + field + "[" + i + "]", "must be a non-empty string");
            } else if (JsonBodies.hasControlCharacter(node.get(i).asText())) {
                error(path + field + "[" + i + "]", "must not contain control characters");
            } else {
                values.add(node.get(i).asText().trim());
            }
        }
        return values;
    }

    JsonNode object(JsonNode parent, String path, String field, boolean required) {
        JsonNode node = parent == null ? null : parent.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                error(path + field, "is required");
            }
            return null;
        }
        if (!node.isObject()) {
            error(path + field, "must be an object");
            return null;
        }
        return node;
    }

    public void error(String field, String message) {
        errors.add(new FieldError(field, message));
    }

    boolean ok() {
        return errors.isEmpty();
    }

    public void throwIfAny(String message) throws InvalidPayloadException {
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException(message, errors);
        }
    }
}
