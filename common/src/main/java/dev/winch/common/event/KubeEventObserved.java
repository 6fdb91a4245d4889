package dev.winch.common.event;

import java.time.Instant;

/**
 * A Kubernetes Event (core/v1) as the notifier's event sink sees it, in the shape kube-eventer filters on:
 * kind, reason, level (type) and namespace.
 *
 * @param type Normal or Warning
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
        Instant lastSeen) implements WinchEvent {

    @Override
    public String partitionKey() {
        return namespace + "/" + involvedKind + "/" + involvedName;
    }
}
