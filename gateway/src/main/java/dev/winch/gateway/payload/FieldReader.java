package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.image.ImageReference;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fields of one webhook body and collects every problem with its path, so that a sender learns about all
 * of them from one rejected delivery instead of fixing them one retry at a time.
 *
 * <p>Text is a JSON string (surrounding spaces stripped; blank counts as absent; any control character, NUL
 * included, is an error rather than something to trim) or an integral number, because shell-templated
 * senders (the seed 001 Jenkins curl) leave values such as {@code "tag": ${BUILD_NUMBER}} unquoted. Anything else
 * (an object, an array, a boolean, a fraction that would lose digits) is reported as the wrong type.
 */
final class FieldReader {

    private final JsonNode root;
    private final List<FieldError> errors = new ArrayList<>();

    FieldReader(JsonNode root) {
        this.root = root;
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

    void error(String path, String message) {
        errors.add(new FieldError(path, message));
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    void throwIfAny(String message) throws InvalidPayloadException {
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException(message, errors);
        }
    }

    private String textOf(String path, JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            String raw = node.asText();
            if (JsonBodies.hasControlCharacter(raw)) {
                // Trimming would read "latest" and a NUL as "latest": another image than the one pushed.
                error(path, "must not contain control characters");
                return null;
            }
            String value = raw.strip();
            return value.isEmpty() ? null : value;
        }
        if (node.isIntegralNumber()) {
            return node.asText();
        }
        error(path, "must be a string, got " + JsonPaths.describe(node));
        return null;
    }
}
