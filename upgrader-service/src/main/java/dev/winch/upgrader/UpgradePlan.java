package dev.winch.upgrader;

import dev.winch.common.event.ImagePushed;
import dev.winch.common.kubernetes.AppliedEvents;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an image push means for one workload, computed without I/O from the push and the workload as it is.
 *
 * @param decision  apply, or why not
 * @param container the container to change
 * @param oldImage  its image now
 * @param newImage  the image to set
 * @param restart   the image string does not change (the same tag pushed again), so the pods must be restarted
 *                  through a pod-template annotation, as {@code kubectl rollout restart} does
 * @param reason    a sentence for people
 */
public record UpgradePlan(Decision decision, String container, String oldImage, String newImage, boolean restart,
        String reason) {

    /** What to do. */
    public enum Decision {
        APPLY, DUPLICATE, FAILED
    }

    /** The parts of a workload the plan needs: containers (name to image, in order) and its annotations. */
    public record Workload(String key, Map<String, String> containerImages, Map<String, String> annotations) {
        public Workload {
            containerImages = new LinkedHashMap<>(containerImages);
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }
    }

    public static UpgradePlan plan(String eventId, ImagePushed push, Workload workload) {
        String newImage = push.image();
        if (AppliedEvents.contains(workload.annotations(), eventId)) {
            return new UpgradePlan(Decision.DUPLICATE, null, null, newImage, false,
                    "event " + eventId + " was already applied to " + workload.key());
        }
        String container = push.target().container();
        String oldImage = workload.containerImages().get(container);
        if (oldImage == null) {
            return new UpgradePlan(Decision.FAILED, container, null, newImage, false,
                    "container '" + container + "' is not in the pod template of " + workload.key()
                            + "; it has " + workload.containerImages().keySet());
        }
        boolean restart = oldImage.equals(newImage);
        return new UpgradePlan(Decision.APPLY, container, oldImage, newImage, restart, restart
                ? "restarting " + workload.key() + " container " + container + " on a new push of " + newImage
                : "setting " + workload.key() + " container " + container + " from " + oldImage + " to " + newImage);
    }
}
