package dev.winch.bench;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A watch on Deployments: every update (MODIFIED) is counted per Deployment and handed, with the time it arrived,
 * to a listener. This is how the benchmarks see a Kubernetes write happen, independently of what the service
 * under test reports. The listener runs on the client's watch thread and must be quick.
 */
final class DeploymentWatch implements AutoCloseable {

    private final KubernetesClient client;
    private final Watch watch;
    private final Map<String, AtomicInteger> modified = new ConcurrentHashMap<>();
    private volatile WatcherException closedWith;

    /**
     * @param client    a client of its own, closed with the watch
     * @param namespace the namespace watched, or null for every namespace
     * @param labels    labels the Deployments must carry (may be empty)
     */
    DeploymentWatch(KubernetesClient client, String namespace, Map<String, String> labels,
            BiConsumer<Deployment, Instant> onModified, PrintStream progress) {
        this.client = client;
        var deployments = namespace == null ? client.apps().deployments().inAnyNamespace()
                : client.apps().deployments().inNamespace(namespace);
        this.watch = deployments.withLabels(labels).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment deployment) {
                Instant now = Instant.now();
                if (action != Action.MODIFIED) {
                    return;
                }
                modified.computeIfAbsent(key(deployment), k -> new AtomicInteger()).incrementAndGet();
                onModified.accept(deployment, now);
            }

            @Override
            public void onClose(WatcherException cause) {
                closedWith = cause;
                progress.println("[bench] the Deployment watch closed: " + cause);
            }
        });
    }

    static String key(Deployment deployment) {
        return deployment.getMetadata().getNamespace() + "/" + deployment.getMetadata().getName();
    }

    /** Updates seen so far of Deployment {@code namespace/name}. */
    int modifications(String key) {
        AtomicInteger count = modified.get(key);
        return count == null ? 0 : count.get();
    }

    /** Updates seen so far of every Deployment. */
    int modifications() {
        return modified.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Null while the watch is open; what closed it otherwise (the figures are then incomplete). */
    WatcherException closedWith() {
        return closedWith;
    }

    @Override
    public void close() {
        try {
            watch.close();
        } finally {
            client.close();
        }
    }
}
