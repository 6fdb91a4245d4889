package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Reads out of webhook bodies by field path ({@code event_data.resources[0].tag}): the node at a path, an optional
 * text, a node's type as an error message names it.
 */
final class JsonPaths {

    private JsonPaths() {
    }

    /**
     * The text at a path of object fields, or null when absent, null, blank, not a scalar, or holding a control
     * character: these optional fields (pusher, delivery ids, digests) are hints, and a mangled one is dropped, not
     * trimmed into something else.
     */
    static String text(JsonNode node, String... path) {
        JsonNode current = node;
        for (String field : path) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.get(field);
        }
        if (current == null || !current.isValueNode() || current.isNull()) {
            return null;
        }
        String raw = current.asText();
        if (JsonBodies.hasControlCharacter(raw)) {
            return null;
        }
        String value = raw.strip();
        return value.isEmpty() ? null : value;
    }

    /**
     * The node at a path written the way errors report it ({@code event_data.resources[0].tag}), or null when a
     * step is absent, JSON null, or not the object or array the path expects. Writing the lookup and the error
     * path as one string keeps them from drifting apart.
     */
    static JsonNode at(JsonNode root, String path) {
        JsonNode current = root;
        for (String segment : path.split("\\.")) {
            int bracket = segment.indexOf('[');
            String name = bracket < 0 ? segment : segment.substring(0, bracket);
            if (!name.isEmpty()) {
                current = current != null && current.isObject() ? current.get(name) : null;
            }
            while (bracket >= 0) {
                int close = segment.indexOf(']', bracket);
                int index = Integer.parseInt(segment.substring(bracket + 1, close));
                current = current != null && current.isArray() ? current.get(index) : null;
                bracket = segment.indexOf('[', close);
            }
        }
        return current == null || current.isNull() || current.isMissingNode() ? null : current;
    }

    /** How a node's type reads in an error message. */
    static String describe(JsonNode node) {
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isNumber()) {
            return "a number";
        }
        return "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
