package dev.winch.kubernetes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The ids of the last events applied to a Kubernetes object, kept in one annotation written in the same update
 * as the change itself. A redelivered event finds its id there and is reported as a duplicate, not applied again.
 *
 * <p>A worker that folds many events into one write keeps only the newest {@link #KEEP} of them here and records
 * the highest offset it applied as well ({@link AppliedOffsets}): the offset recognises a redelivered record, the
 * ids recognise the same event published again as a new record (a webhook delivery the sender retried).
 */
public final class AppliedEvents {

    /** The annotation that holds the ids, newest last, comma-separated. */
    public static final String ANNOTATION = "winch.dev/applied-events";
    /** How many ids are kept, newest last. */
    public static final int KEEP = 20;

    private AppliedEvents() {
    }

    public static boolean contains(Map<String, String> annotations, String eventId) {
        return ids(annotations).contains(eventId);
    }

    /** The annotation value with {@code eventIds} appended, oldest dropped beyond {@link #KEEP}. */
    public static String append(Map<String, String> annotations, List<String> eventIds) {
        List<String> ids = new ArrayList<>(ids(annotations));
        for (String id : eventIds) {
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        List<String> kept = ids.subList(Math.max(0, ids.size() - KEEP), ids.size());
        return String.join(",", kept);
    }

    public static List<String> ids(Map<String, String> annotations) {
        String value = annotations == null ? null : annotations.get(ANNOTATION);
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
