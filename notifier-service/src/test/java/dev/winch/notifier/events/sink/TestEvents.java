package dev.winch.notifier.events.sink;

import dev.winch.common.event.KubeEventObserved;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Kubernetes events as the watcher publishes them: the record's fields and the core/v1 Event as JSON. */
final class TestEvents {

    static final Instant LAST = Instant.parse("2019-07-17T03:52:30Z");
    static final Instant FIRST = Instant.parse("2019-07-17T03:50:00Z");

    private TestEvents() {
    }

    /** A Pod's event in {@code namespace}, as the API server sends it (no eventTime, as most core/v1 Events). */
    static KubeEventObserved pod(String namespace, String name, String type, String reason, String message,
            int count) {
        return event("uid-" + namespace + "-" + name + "-" + reason, namespace, "Pod", name, type, reason, message,
                count, LAST, "100");
    }

    /** A Node's event: cluster-scoped, the involved object has no namespace; the Event itself is in default. */
    static KubeEventObserved node(String name, String type, String reason, String message) {
        return event("uid-node-" + name + "-" + reason, "", "Node", name, type, reason, message, 1, LAST, "200");
    }

    static KubeEventObserved event(String uid, String namespace, String kind, String name, String type,
            String reason, String message, int count, Instant last, String resourceVersion) {
        Map<String, Object> object = new LinkedHashMap<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name + ".15b2a3f4c8d9e0a1");
        metadata.put("namespace", namespace.isEmpty() ? "default" : namespace);
        metadata.put("uid", uid);
        metadata.put("resourceVersion", resourceVersion);
        object.put("metadata", metadata);
        Map<String, Object> involved = new LinkedHashMap<>();
        involved.put("kind", kind);
        if (!namespace.isEmpty()) {
            involved.put("namespace", namespace);
        }
        involved.put("name", name);
        involved.put("apiVersion", "v1");
        object.put("involvedObject", involved);
        object.put("reason", reason);
        object.put("message", message);
        object.put("source", Map.of("component", "kubelet", "host", "node-1"));
        object.put("firstTimestamp", FIRST.toString());
        object.put("lastTimestamp", last.toString());
        object.put("count", count);
        object.put("type", type);
        object.put("eventTime", null);
        return new KubeEventObserved(uid, namespace, kind, name, reason, message, type, count, FIRST, last,
                resourceVersion, object);
    }

    /** The same Event seen again: only its count, last timestamp and resourceVersion changed. */
    static KubeEventObserved repeated(KubeEventObserved event, int count, Instant last, String resourceVersion) {
        return event(event.uid(), event.namespace(), event.involvedKind(), event.involvedName(), event.type(),
                event.reason(), event.message(), count, last, resourceVersion);
    }
}
