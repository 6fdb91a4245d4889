package dev.winch.host.kubernetes;

import dev.winch.host.model.DrainReport;
import io.vertx.core.Future;
import java.util.List;

/**
 * Empties Nodes before they are removed: cordon, then evict every pod through the Eviction API (so
 * PodDisruptionBudgets are honoured; a 429 is tried again until the drain timeout), skipping DaemonSet-owned and
 * mirror pods. Runs on the worker pool. A failed future means the API server could not be asked; a drain that
 * could not finish is a {@link DrainReport} with {@code drained == false}, its Node left cordoned and annotated
 * {@link dev.winch.host.model.HostAnnotations#DRAIN_BLOCKED}.
 */
public interface NodeDrainer {

    /** Cordons {@code node} (annotated {@link dev.winch.host.model.HostAnnotations#DRAINING} = {@code eventId}),
     *  then evicts its pods and waits until they are gone or the drain timeout passed. */
    Future<DrainReport> drain(String node, String eventId);

    /** {@link #drain} for each of {@code nodes}, a bounded number at a time; reports in the order of {@code nodes}. */
    Future<List<DrainReport>> drainAll(List<String> nodes, String eventId);
}
