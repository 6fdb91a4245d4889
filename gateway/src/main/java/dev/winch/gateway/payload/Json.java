package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;

/** Small helpers for reading optional fields out of webhook bodies. */
final class Json {

    private Json() {
    }

    /** The text at a path of object fields, or null when absent, null, blank or not a scalar. */
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
        String value = current.asText().trim();
        return value.isEmpty() ? null : value;
    }
}
