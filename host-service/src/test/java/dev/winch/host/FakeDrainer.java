package dev.winch.host;

import dev.winch.host.kubernetes.NodeDrainer;
import dev.winch.host.model.DrainReport;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link NodeDrainer} for tests: records what it was asked to drain and answers drained, or blocked for the Nodes
 * given a blocking pod. What the real drainer does on the cluster (cordon, evictions, 429s) is its own tests' job.
 */
final class FakeDrainer implements NodeDrainer {

    final List<String> drained = new CopyOnWriteArrayList<>();
    final List<String> eventIds = new CopyOnWriteArrayList<>();
    private final Map<String, Map<String, String>> blocked = new ConcurrentHashMap<>();

    /** Draining {@code node} times out, {@code pod} refusing to go for {@code reason}. */
    FakeDrainer block(String node, String pod, String reason) {
        blocked.put(node, Map.of(pod, reason));
        return this;
    }

    @Override
    public Future<DrainReport> drain(String node, String eventId) {
        drained.add(node);
        eventIds.add(eventId);
        Map<String, String> blocking = blocked.get(node);
        return Future.succeededFuture(blocking == null
                ? new DrainReport(node, true, List.of("default/app-" + node), List.of("kube-system/ds-" + node),
                        Map.of())
                : new DrainReport(node, false, List.of(), List.of(), blocking));
    }

    @Override
    public Future<List<DrainReport>> drainAll(List<String> nodes, String eventId) {
        List<Future<DrainReport>> all = new ArrayList<>();
        nodes.forEach(node -> all.add(drain(node, eventId)));
        return Future.all(all).map(done -> all.stream().map(Future::result).toList());
    }
}
