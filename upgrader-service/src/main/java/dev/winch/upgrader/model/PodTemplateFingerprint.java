package dev.winch.upgrader.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What identifies the pod template a workload rolls out: a digest of the whole template, plus the images per
 * container and the {@code kubectl.kubernetes.io/restartedAt} annotation, kept to say in a reason what changed.
 *
 * <p>Why the template and not {@code metadata.generation}: a real API server bumps the generation on every spec
 * change, {@code spec.replicas} included, so an HPA or {@code kubectl scale} during a rollout moves it without
 * starting a new rollout. Only a new pod template does (it is what Deployments hash into a new ReplicaSet and
 * StatefulSets and DaemonSets into a new revision), whatever part of it changed.
 *
 * @param digest      a digest of the whole pod template (metadata and spec), canonical JSON
 * @param images      container name to image, in pod-template order (init containers are in the digest only)
 * @param restartedAt the restart annotation on the template, or null
 */
public record PodTemplateFingerprint(String digest, Map<String, String> images, String restartedAt) {

    public PodTemplateFingerprint {
        Objects.requireNonNull(digest, "digest");
        images = Collections.unmodifiableMap(new LinkedHashMap<>(images));
    }

    /** The same pod template: the pods it makes are the pods of the same rollout. */
    public boolean sameTemplate(PodTemplateFingerprint other) {
        return digest.equals(other.digest);
    }

    /**
     * What changed in this template since {@code before}, in words: the images and the restart annotation by name,
     * anything else as "other fields".
     */
    public String changesSince(PodTemplateFingerprint before) {
        List<String> changes = new ArrayList<>();
        images.forEach((container, image) -> {
            String was = before.images.get(container);
            if (was == null) {
                changes.add("container " + container + " (" + image + ") was added");
            } else if (!was.equals(image)) {
                changes.add("container " + container + " runs " + image + " instead of " + was);
            }
        });
        before.images.forEach((container, image) -> {
            if (!images.containsKey(container)) {
                changes.add("container " + container + " (" + image + ") was removed");
            }
        });
        if (!Objects.equals(restartedAt, before.restartedAt)) {
            changes.add(restartedAt == null ? "its restart annotation was removed"
                    : "it was restarted at " + restartedAt);
        }
        if (changes.isEmpty()) {
            changes.add(sameTemplate(before) ? "nothing" : "fields other than the images changed");
        }
        return String.join(", ", changes);
    }
}
