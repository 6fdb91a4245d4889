package dev.winch.notifier.events.watch;

import java.util.OptionalLong;

/**
 * resourceVersions as numbers. Kubernetes calls them opaque, but every API server stores objects in etcd and
 * answers with etcd's revision, one counter for the whole cluster that only grows: that is what lets the watcher
 * say "published up to here". A resourceVersion that is not a number is not comparable and is reported so.
 */
final class ResourceVersions {

    private ResourceVersions() {
    }

    static OptionalLong parse(String resourceVersion) {
        if (resourceVersion == null || resourceVersion.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long value = Long.parseLong(resourceVersion);
            return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
