package dev.winch.bench;

import dev.winch.bench.HookClient.Answer;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Outcome;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.host.HostConfig;
import dev.winch.host.HostService;
import dev.winch.host.kubernetes.KubernetesNodeDrainer;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.testkit.ClusterApiSandbox;
import dev.winch.testkit.EvictionApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.vertx.core.Future;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The host service end to end on a large group: how long after the gateway's 202 the provider is asked for a clone,
 * and how long until every eviction of a 10-host scale-down is requested.
 *
 * <p>One JVM: the embedded KRaft broker; a Kubernetes API (fabric8 mock server, CRUD mode, with the Cluster API CRDs
 * and an Eviction API that evicts at once, {@link EvictionApi}) holding a group of {@code --nodes} Nodes, each
 * the Node of a Machine of one MachineSet of MachineDeployment {@code bench/pool} and running two pods, one of its
 * own and one of a DaemonSet; the gateway with receivers {@code hosts-up} (amount 1) and {@code hosts-down} (amount
 * {@code --down-amount}, leastRecent); one host service wired as its main wires it (the Kubernetes drainer with the
 * default timeout, retry interval and concurrency). Each request is sent alone and its result awaited before the
 * next, so every figure is one request's path, the group read in full each time.
 *
 * <ul>
 *   <li><b>Clone</b>: 202 → the Cluster API provider's write, seen by a watch on the MachineDeployment as the first
 *       update that carries the event id in {@code winch.dev/applied-events} (the id goes in the same write as the
 *       replica change).</li>
 *   <li><b>Scale down</b>: 202 → the first and the last eviction request of the chosen hosts' pods arriving at the
 *       API server (each host cordoned, its pods listed, the DaemonSet's left, its own pod evicted, its absence
 *       seen; {@code WINCH_HOST_DRAIN_CONCURRENCY} hosts at a time). The API server evicts at once: how long pods
 *       take to leave (and PodDisruptionBudgets) is the cluster's time, not Winch's.</li>
 * </ul>
 * Progress goes to stderr, the markdown report to stdout. Exit status 3 when a check fails.
 */
public final class HostBenchmark {

    static final String NAMESPACE = "bench";
    static final String POOL = "pool";
    private static final Map<String, String> LABELS = Map.of("bench.winch.dev/pool", "workers");

    static final String USAGE = """
            usage: java -cp bench/target/winch-bench.jar dev.winch.bench.HostBenchmark [options]
              --nodes N         Nodes (and Machines) in the group (default 500)
              --clones N        clone requests, one at a time (default 20)
              --downs N         scale-down requests, one at a time (default 5)
              --down-amount N   hosts removed by each scale-down (default 10)
              --log MODE        discard | file | warn (default discard)
            """;

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("nodes", "500");
        DEFAULTS.put("clones", "20");
        DEFAULTS.put("downs", "5");
        DEFAULTS.put("down-amount", "10");
        DEFAULTS.put("log", "discard");
    }

    private final PrintStream progress = System.err;
    private final Path work;
    private final int nodes;
    private final int clones;
    private final int downs;
    private final int downAmount;
    private final String token = "bench-token-" + Long.toHexString(System.nanoTime());

    private HostBenchmark(Flags flags, Path work) {
        this.work = work;
        this.nodes = flags.integer("nodes", 2, 100_000);
        this.clones = flags.integer("clones", 1, 10_000);
        this.downs = flags.integer("downs", 0, 10_000);
        this.downAmount = flags.integer("down-amount", 1, 1_000);
    }

    public static void main(String[] args) throws Exception {
        ServiceBenchmarkMain.run(args, DEFAULTS, USAGE, "host", (flags, work) -> new HostBenchmark(flags, work).run());
    }

    private int run() throws Exception {
        Report.Machine machine = Report.Machine.describe();
        progress.println("[bench] " + machine.summary());
        boolean ok = true;
        StringBuilder md = new StringBuilder();
        // closed after the stack: the host service stops before its API server does
        try (EvictionApi kubernetes = new EvictionApi();
                ServiceStack stack = ServiceStack.start(progress)) {
            progress.println("[bench] seeding a group of " + nodes + " Cluster API hosts, two pods on each");
            long seedStart = System.nanoTime();
            kubernetes.findPodsByNodeLabel();
            seed(kubernetes.client());
            progress.printf(Locale.ROOT, "[bench] seeded in %.1f s%n", (System.nanoTime() - seedStart) / 1e9);

            int gatewayPort = stack.startGateway(Map.of("WINCH_RECEIVERS_FILE", receiversFile().toString(),
                    "WINCH_RATE_LIMIT_PER_SECOND", "1000", "WINCH_RATE_LIMIT_BURST", "1000"));
            HostConfig config = HostConfig.fromEnv(stack.workerEnv(Map.of("WINCH_INSTANCE_ID", "bench-host",
                    "WINCH_HOST_NAMESPACE", NAMESPACE)));
            ServiceRuntime runtime = stack.runtime(config.runtime());
            KubernetesClient hostClient = kubernetes.newClient();
            // as HostMain wires it: the drainer shares the service's client
            HostService host = new HostService(runtime, hostClient, config,
                    new KubernetesNodeDrainer(hostClient, runtime.vertx(), config.drainTimeout(),
                            config.drainRetryInterval(), config.drainConcurrency(), Clock.systemUTC()),
                    request -> Future.failedFuture(new UnsupportedOperationException("no exec provider here")));
            host.start().await(60, TimeUnit.SECONDS);
            runtime.markStarted();
            if (!ServiceStack.await(host::hasAssignment, 60_000)) {
                throw new IllegalStateException("the host service got no partition within 60 s");
            }

            Map<String, Instant> writtenAt = new ConcurrentHashMap<>();
            KubernetesClient watchClient = kubernetes.newClient();
            Watch watch = watchClient.genericKubernetesResources(context("MachineDeployment", "machinedeployments"))
                    .inNamespace(NAMESPACE).withName(POOL).watch(new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, GenericKubernetesResource resource) {
                            Instant now = Instant.now();
                            AppliedEvents.ids(resource.getMetadata().getAnnotations())
                                    .forEach(id -> writtenAt.putIfAbsent(id, now));
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                        }
                    });
            HookClient http = new HookClient(gatewayPort, token);
            try (ResultsFollower results = new ResultsFollower(stack.bootstrapServers(), progress)) {
                List<Long> cloneNanos = new ArrayList<>();
                List<Long> cloneResultNanos = new ArrayList<>();
                for (int i = 0; i < clones; i++) {
                    Answer answer = http.post("hosts-up", null);
                    ok &= answer.accepted();
                    String id = answer.eventId();
                    boolean done = ServiceStack.await(() -> decided(results, id) != null && writtenAt.containsKey(id),
                            60_000);
                    ActionResult result = decided(results, id);
                    if (!done || result.outcome() != Outcome.APPLIED) {
                        progress.println("[bench] clone " + id + " not applied: " + result);
                        ok = false;
                        continue;
                    }
                    cloneNanos.add(Latencies.between(answer.answeredAt(), writtenAt.get(id)));
                    cloneResultNanos.add(Latencies.between(answer.answeredAt(), seenAt(results, id)));
                }
                List<Long> firstEvictionNanos = new ArrayList<>();
                List<Long> lastEvictionNanos = new ArrayList<>();
                List<Long> downResultNanos = new ArrayList<>();
                int evictionsAsked = 0;
                for (int i = 0; i < downs; i++) {
                    int before = kubernetes.evictionLog().size();
                    Answer answer = http.post("hosts-down", null);
                    ok &= answer.accepted();
                    String id = answer.eventId();
                    boolean done = ServiceStack.await(() -> decided(results, id) != null, 120_000);
                    ActionResult result = decided(results, id);
                    // requests go one at a time: the evictions since the 202 are this request's
                    List<EvictionApi.EvictionRequest> all = kubernetes.evictionLog();
                    List<EvictionApi.EvictionRequest> evictions = all.subList(before, all.size());
                    evictionsAsked += evictions.size();
                    if (!done || result.outcome() != Outcome.APPLIED || !expectedEvictions(result, evictions)) {
                        progress.println("[bench] scale-down " + id + " not as expected: " + result + "; evictions "
                                + evictions);
                        ok = false;
                        continue;
                    }
                    firstEvictionNanos.add(Latencies.between(answer.answeredAt(), evictions.get(0).at()));
                    lastEvictionNanos.add(Latencies.between(answer.answeredAt(),
                            evictions.get(evictions.size() - 1).at()));
                    downResultNanos.add(Latencies.between(answer.answeredAt(), seenAt(results, id)));
                }
                int left = kubernetes.client().nodes().withLabels(LABELS).list().getItems().size();
                int expectedLeft = nodes - downs * downAmount;
                if (left != expectedLeft) {
                    progress.println("[bench] " + left + " Nodes left, expected " + expectedLeft);
                    ok = false;
                }
                md.append(report(machine, Latencies.ofNanos(cloneNanos), Latencies.ofNanos(cloneResultNanos),
                        Latencies.ofNanos(firstEvictionNanos), Latencies.ofNanos(lastEvictionNanos),
                        Latencies.ofNanos(downResultNanos), evictionsAsked, left, ok));
            } finally {
                watch.close();
                watchClient.close();
            }
        }
        System.out.print(md);
        return ok ? 0 : 3;
    }

    /**
     * One eviction per chosen host, of its own pod (never the DaemonSet's), each answered 201, as many as the
     * result says were evicted.
     */
    private boolean expectedEvictions(ActionResult result, List<EvictionApi.EvictionRequest> evictions) {
        List<String> hosts = List.of(result.details().getOrDefault("hosts", "").split(","));
        List<String> expected = hosts.stream().map(h -> NAMESPACE + "/app-" + h).sorted().toList();
        List<String> evicted = evictions.stream().filter(e -> e.code() == 201).map(EvictionApi.EvictionRequest::pod)
                .sorted().toList();
        return hosts.size() == downAmount && evictions.size() == downAmount && evicted.equals(expected)
                && String.valueOf(downAmount).equals(result.details().get("evicted"));
    }

    private static ActionResult decided(ResultsFollower results, String id) {
        return results.of(id).stream().map(ResultsFollower.Seen::result)
                .filter(r -> !"join".equals(r.details().get("stage"))).findFirst().orElse(null);
    }

    private static Instant seenAt(ResultsFollower results, String id) {
        return results.of(id).stream().filter(s -> !"join".equals(s.result().details().get("stage")))
                .map(ResultsFollower.Seen::seenAt).findFirst().orElseThrow();
    }

    private String report(Report.Machine machine, Latencies clone, Latencies cloneResult, Latencies firstEviction,
            Latencies lastEviction, Latencies downResult, int evictions, int left, boolean ok) {
        StringBuilder md = new StringBuilder();
        md.append("### Host service: a group of ").append(nodes).append(" Cluster API hosts\n\n");
        md.append(machine.summary()).append("\n\n");
        md.append(String.format(Locale.ROOT, "%d clones (amount 1), %d scale-downs of %d hosts, one request at a "
                + "time, drained by the Kubernetes drainer (%d evictions requested, one per host, DaemonSet pods "
                + "left); %d Nodes left; checks %s.%n%n", clone.count(), downResult.count(), downAmount, evictions,
                left, ok ? "passed" : "FAILED"));
        md.append(Latencies.header());
        md.append(clone.row("202 → clone written (MachineDeployment replicas + event id)"));
        md.append(cloneResult.row("202 → clone result read"));
        md.append(firstEviction.row("202 → first eviction requested"));
        md.append(lastEviction.row("202 → last of the " + downAmount + " evictions requested"));
        md.append(downResult.row("202 → scale-down result read (drained; machines marked, replicas, "
                + "Nodes deleted)"));
        md.append('\n');
        return md.toString();
    }

    private void seed(KubernetesClient client) {
        ClusterApiSandbox clusterApi = new ClusterApiSandbox(client, NAMESPACE).installCrds();
        clusterApi.machineDeployment(POOL, POOL + "-ms", nodes, Map.of());
        for (int i = 0; i < nodes; i++) {
            String machine = POOL + "-m-" + i;
            clusterApi.machine(machine, POOL + "-ms");
            String node = POOL + "-n-" + i;
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node)
                    .withLabels(LABELS)
                    .withAnnotations(Map.of("cluster.x-k8s.io/machine", machine,
                            "cluster.x-k8s.io/cluster-namespace", NAMESPACE))
                    .endMetadata()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .endStatus().build()).create();
            pod(client, "app-" + node, node, false);
            pod(client, "agent-" + node, node, true);
        }
    }

    /** A running pod on {@code node}; owned by DaemonSet {@code agent} when {@code daemon}. */
    private static void pod(KubernetesClient client, String name, String node, boolean daemon) {
        PodBuilder pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .addToLabels(EvictionApi.NODE_LABEL, node).endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("main").withImage("nginx:1.27").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus();
        if (daemon) {
            pod.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                    .withName("agent").withUid("agent-uid").withController(true).endOwnerReference().endMetadata();
        }
        client.pods().inNamespace(NAMESPACE).resource(pod.build()).create();
    }

    private static ResourceDefinitionContext context(String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(ClusterApiSandbox.GROUP).withVersion(ClusterApiSandbox.VERSION).withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    private Path receiversFile() throws Exception {
        String yaml = String.format(Locale.ROOT, """
                receivers:
                  - id: hosts-up
                    kind: scaleHost
                    token: %1$s
                    scaleHost: {hostSelector: {bench.winch.dev/pool: workers}, action: up, amount: 1, min: 1, \
                max: 10000}
                  - id: hosts-down
                    kind: scaleHost
                    token: %1$s
                    scaleHost: {hostSelector: {bench.winch.dev/pool: workers}, action: down, amount: %2$d, min: 1, \
                max: 10000, deleteOption: leastRecent}
                """, token, downAmount);
        Path file = work.resolve("receivers.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
