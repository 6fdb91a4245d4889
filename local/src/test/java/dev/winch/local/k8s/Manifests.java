package dev.winch.local.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

/** The objects one overlay renders, with finders that fail naming the overlay and what is missing. */
public record Manifests(String overlay, List<JsonNode> docs) {

    public static Manifests of(String overlay) {
        return new Manifests(overlay, Kustomize.overlay(overlay));
    }

    public List<JsonNode> all(String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    public <T> List<T> all(String kind, Class<T> type) {
        return all(kind).stream().map(d -> Models.parse(d, type)).toList();
    }

    public Optional<JsonNode> find(String kind, String name) {
        return all(kind).stream().filter(d -> name(d).equals(name)).findFirst();
    }

    public JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(overlay + ": no " + kind + "/" + name));
    }

    public <T> T get(String kind, String name, Class<T> type) {
        return Models.parse(get(kind, name), type);
    }

    public boolean hasApiGroup(String group) {
        return docs.stream().anyMatch(d -> apiGroup(d).equals(group));
    }

    public static String name(JsonNode doc) {
        return doc.path("metadata").path("name").asText();
    }

    public static String apiGroup(JsonNode doc) {
        String apiVersion = doc.path("apiVersion").asText();
        return apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    }

    public static List<String> texts(JsonNode node) {
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        return StreamSupport.stream(node.spliterator(), false).map(JsonNode::asText).toList();
    }

    @Override
    public String toString() {
        return "k8s/overlays/" + overlay;
    }
}
