package dev.winch.common.event;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Kubernetes Event (core/v1) as the notifier's event sink sees it: the fields kube-eventer filters on (kind,
 * reason, level, namespace) and the whole Event as the API server returned it, for body templates.
 *
 * @param uid             the Event's uid
 * @param namespace       the involved object's namespace; empty for a cluster-scoped object (a Node)
 * @param type            Normal or Warning
 * @param resourceVersion the Event's resourceVersion when it was observed: with {@code uid}, what tells a change
 *                        already published from a new one
 * @param object          the core/v1 Event as JSON (a map of its fields, as the API server sent them); empty when
 *                        not known
 */
public record KubeEventObserved(
        String uid,
        String namespace,
        String involvedKind,
        String involvedName,
        String reason,
        String message,
        String type,
        int count,
        Instant firstSeen,
        Instant lastSeen,
        String resourceVersion,
        Map<String, Object> object) implements WinchEvent {

    public KubeEventObserved {
        object = object == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(object));
    }

    /** The involved object ({@code namespace/Kind/name}): one object's events stay in order. */
    @Override
    public String partitionKey() {
        return (namespace == null ? "" : namespace) + "/" + involvedKind + "/" + involvedName;
    }
}
