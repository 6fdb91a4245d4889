package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.image.ImageReference;
import dev.winch.common.kubernetes.KubernetesNames;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the fields of one JSON object and collects every problem with its path, so that a sender learns about all of
 * them from one rejected request instead of fixing them one retry at a time. One reader serves two kinds of input,
 * whose text rules differ on purpose:
 *
 * <ul>
 *   <li>webhook bodies, read by path from the root ({@link #requiredText}, {@link #optionalText}, {@link #tag}...):
 *       text is a JSON string or an integral number, because shell-templated senders (the seed 001 Jenkins curl)
 *       leave values such as {@code "tag": ${BUILD_NUMBER}} unquoted; anything else (an object, an array, a boolean,
 *       a fraction that would lose digits) is reported as the wrong type, naming the type sent;</li>
 *   <li>configuration (receiver definitions, trigger URLs), read field by field under a parent
 *       ({@link #text(JsonNode, String, String, boolean)}, {@link #integer}, {@link #labels}...): typed strictly, as
 *       an operator writes it once and can be told exactly what to fix.</li>
 * </ul>
 *
 * <p>Either way, surrounding spaces are stripped, blank counts as absent, and any control character (NUL included) is
 * an error rather than something to trim: trimming would read {@code latest} and a NUL as {@code latest}, another
 * image than the one pushed.
 */
public final class FieldReader {

    private final JsonNode root;
    private final List<FieldError> errors = new ArrayList<>();

    /** A reader of webhook body {@code root}, by path. */
    public FieldReader(JsonNode root) {
        this.root = root;
    }

    /** A reader of configuration objects, field by field under the parent each read names. */
    public FieldReader() {
        this(null);
    }

    JsonNode root() {
        return root;
    }

    /** The text at {@code path}; reports it when absent, blank or of the wrong type. */
    String requiredText(String path) {
        JsonNode node = JsonPaths.at(root, path);
        int before = errors.size();
        String text = textOf(path, node);
        if (text == null && errors.size() == before) {
            error(path, "is required");
        }
        return text;
    }

    /** The text at {@code path}, or null when absent or blank; reports it only when of the wrong type. */
    String optionalText(String path) {
        return textOf(path, JsonPaths.at(root, path));
    }

    /** Whether {@code path} holds anything but JSON null or a blank string. */
    boolean isPresent(String path) {
        JsonNode node = JsonPaths.at(root, path);
        return node != null && !(node.isTextual() && node.asText().isBlank());
    }

    /** A required image tag. */
    String tag(String path) {
        String tag = requiredText(path);
        if (tag != null && !ImageReference.isTag(tag)) {
            error(path, "is not a valid image tag");
            return null;
        }
        return tag;
    }

    /** The array at {@code path}; reports it and returns null when absent or not an array. */
    JsonNode requiredArray(String path) {
        JsonNode node = JsonPaths.at(root, path);
        if (node == null) {
            error(path, "is required");
            return null;
        }
        if (!node.isArray()) {
            error(path, "must be an array, got " + JsonPaths.describe(node));
            return null;
        }
        return node;
    }

    /** The object at {@code path}, or null when absent; reports it when not an object. */
    JsonNode optionalObject(String path) {
        JsonNode node = JsonPaths.at(root, path);
        if (node != null && !node.isObject()) {
            error(path, "must be an object, got " + JsonPaths.describe(node));
            return null;
        }
        return node;
    }

    // ---- configuration objects, field by field ----

    public String text(JsonNode parent, String path, String field, boolean required) {
        JsonNode node = child(parent, field);
        if (node == null) {
            if (required) {
                error(path + field, "is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            error(path + field, "must be a string");
            return null;
        }
        String value = stripped(path + field, node.asText());
        if (value == null) {
            return null;
        }
        if (value.isEmpty() && required) {
            error(path + field, "must not be empty");
            return null;
        }
        return value.isEmpty() ? null : value;
    }

    public String oneOf(JsonNode parent, String path, String field, Set<String> allowed, String defaultValue) {
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

    public int integer(JsonNode parent, String path, String field, Integer defaultValue, int min, int max) {
        JsonNode node = child(parent, field);
        if (node == null) {
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
    public Integer optionalInteger(JsonNode parent, String path, String field, int min, int max) {
        JsonNode node = child(parent, field);
        if (node == null) {
            return null;
        }
        return integer(parent, path, field, null, min, max);
    }

    /** An optional true/false: null when absent. */
    public Boolean optionalBool(JsonNode parent, String path, String field) {
        JsonNode node = child(parent, field);
        if (node == null) {
            return null;
        }
        return bool(parent, path, field, false);
    }

    public double number(JsonNode parent, String path, String field, double defaultValue, double min, double max) {
        JsonNode node = child(parent, field);
        if (node == null) {
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

    public boolean bool(JsonNode parent, String path, String field, boolean defaultValue) {
        JsonNode node = child(parent, field);
        if (node == null) {
            return defaultValue;
        }
        if (!node.isBoolean()) {
            error(path + field, "must be true or false");
            return defaultValue;
        }
        return node.asBoolean();
    }

    public Map<String, String> labels(JsonNode parent, String path, String field, boolean required) {
        JsonNode node = child(parent, field);
        Map<String, String> labels = new LinkedHashMap<>();
        if (node == null) {
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

    public List<String> strings(JsonNode parent, String path, String field) {
        JsonNode node = child(parent, field);
        List<String> values = new ArrayList<>();
        if (node == null) {
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

    public JsonNode object(JsonNode parent, String path, String field, boolean required) {
        JsonNode node = child(parent, field);
        if (node == null) {
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

    public void error(String path, String message) {
        errors.add(new FieldError(path, message));
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    public void throwIfAny(String message) throws InvalidPayloadException {
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException(message, errors);
        }
    }

    private String textOf(String path, JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            String value = stripped(path, node.asText());
            return value == null || value.isEmpty() ? null : value;
        }
        if (node.isIntegralNumber()) {
            return node.asText();
        }
        error(path, "must be a string, got " + JsonPaths.describe(node));
        return null;
    }

    /** The field of {@code parent}, or null when there is no parent, no such field, or JSON null. */
    private static JsonNode child(JsonNode parent, String field) {
        JsonNode node = parent == null ? null : parent.get(field);
        return node == null || node.isNull() ? null : node;
    }

    /** The text stripped of surrounding spaces, or null (and an error) when it holds a control character. */
    private String stripped(String path, String raw) {
        if (JsonBodies.hasControlCharacter(raw)) {
            error(path, "must not contain control characters");
            return null;
        }
        return raw.strip();
    }
}
