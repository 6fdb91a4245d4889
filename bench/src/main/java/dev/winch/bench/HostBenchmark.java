package dev.winch.bench;

import dev.winch.bench.HookClient.Answer;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Outcome;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.host.HostConfig;
import dev.winch.host.HostService;
import dev.winch.host.kubernetes.NodeDrainer;
import dev.winch.host.model.DrainReport;
import dev.winch.kubernetes.AppliedEvents;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.vertx.core.Future;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * <p>One JVM: the embedded KRaft broker, the sandbox Kubernetes API (fabric8 mock server, CRUD mode, with the
 * Cluster API CRDs) holding a group of {@code --nodes} Nodes, each the Node of a Machine of one MachineSet of
 * MachineDeployment {@code bench/pool}; the gateway with receivers {@code hosts-up} (amount 1) and
 * {@code hosts-down} (amount {@code --down-amount}, leastRecent); one host service. Each request is sent alone and
 * its result awaited before the next, so every figure is one request's path, the group read in full each time.
 *
 * <ul>
 *   <li><b>Clone</b>: 202 → the Cluster API provider's write, seen by a watch on the MachineDeployment as the first
 *       update that carries the event id in {@code winch.dev/applied-events} (the id goes in the same write as the
 *       replica change).</li>
 *   <li><b>Scale down</b>: 202 → the drainer asked to drain the chosen hosts. The drainer here records the call and
 *       answers "drained" at once: the real one's first act on each host is the cordon, then one eviction request
 *       per pod, so this is the time until every eviction can be requested; the drain itself (pods leaving,
 *       PodDisruptionBudgets) is the cluster's time, not Winch's.</li>
 * </ul>
 * Progress goes to stderr, the markdown report to stdout. Exit status 3 when a check fails.
 */
public final class HostBenchmark {

    static final String NAMESPACE = "bench";
    static final String POOL = "pool";
    private static final String GROUP = "cluster.x-k8s.io";
    private static final String VERSION = "v1beta1";
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

    /** Records when it was asked to drain what; answers drained at once. */
    private static final class TimingDrainer implements NodeDrainer {
        final Map<String, Instant> askedAt = new ConcurrentHashMap<>();
        final Map<String, Integer> hosts = new ConcurrentHashMap<>();

        @Override
        public Future<DrainReport> drain(String node, String eventId) {
            return Future.succeededFuture(new DrainReport(node, true, List.of(), List.of(), Map.of()));
        }

        @Override
        public Future<List<DrainReport>> drainAll(List<String> nodes, String eventId) {
            askedAt.putIfAbsent(eventId, Instant.now());
            hosts.put(eventId, nodes.size());
            return Future.succeededFuture(nodes.stream()
                    .map(n -> new DrainReport(n, true, List.of(), List.of(), Map.of())).toList());
        }
    }

    private int run() throws Exception {
        Report.Machine machine = Report.Machine.describe();
        progress.println("[bench] " + machine.summary());
        boolean ok = true;
        StringBuilder md = new StringBuilder();
        try (ServiceStack stack = ServiceStack.start(progress)) {
            progress.println("[bench] seeding a group of " + nodes + " Cluster API hosts");
            long seedStart = System.nanoTime();
            seed(stack.kubernetes());
            progress.printf(Locale.ROOT, "[bench] seeded in %.1f s%n", (System.nanoTime() - seedStart) / 1e9);

            int gatewayPort = stack.startGateway(Map.of("WINCH_RECEIVERS_FILE", receiversFile().toString(),
                    "WINCH_RATE_LIMIT_PER_SECOND", "1000", "WINCH_RATE_LIMIT_BURST", "1000"));
            TimingDrainer drainer = new TimingDrainer();
            HostConfig config = HostConfig.fromEnv(stack.workerEnv(Map.of("WINCH_INSTANCE_ID", "bench-host",
                    "WINCH_HOST_NAMESPACE", NAMESPACE)));
            ServiceRuntime runtime = stack.runtime(config.runtime());
            HostService host = new HostService(runtime, stack.newKubernetesClient(), config, drainer,
                    request -> Future.failedFuture(new UnsupportedOperationException("no exec provider here")));
            host.start().await(60, TimeUnit.SECONDS);
            runtime.markStarted();
            if (!ServiceStack.await(host::hasAssignment, 60_000)) {
                throw new IllegalStateException("the host service got no partition within 60 s");
            }

            Map<String, Instant> writtenAt = new ConcurrentHashMap<>();
            KubernetesClient watchClient = stack.newKubernetesClient();
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
                List<Long> downNanos = new ArrayList<>();
                List<Long> downResultNanos = new ArrayList<>();
                for (int i = 0; i < downs; i++) {
                    Answer answer = http.post("hosts-down", null);
                    ok &= answer.accepted();
                    String id = answer.eventId();
                    boolean done = ServiceStack.await(() -> decided(results, id) != null, 120_000);
                    ActionResult result = decided(results, id);
                    if (!done || result.outcome() != Outcome.APPLIED || !drainer.askedAt.containsKey(id)
                            || drainer.hosts.get(id) != downAmount) {
                        progress.println("[bench] scale-down " + id + " not as expected: " + result);
                        ok = false;
                        continue;
                    }
                    downNanos.add(Latencies.between(answer.answeredAt(), drainer.askedAt.get(id)));
                    downResultNanos.add(Latencies.between(answer.answeredAt(), seenAt(results, id)));
                }
                int left = stack.kubernetes().nodes().withLabels(LABELS).list().getItems().size();
                int expectedLeft = nodes - downs * downAmount;
                if (left != expectedLeft) {
                    progress.println("[bench] " + left + " Nodes left, expected " + expectedLeft);
                    ok = false;
                }
                md.append(report(machine, Latencies.ofNanos(cloneNanos), Latencies.ofNanos(cloneResultNanos),
                        Latencies.ofNanos(downNanos), Latencies.ofNanos(downResultNanos), left, ok));
            } finally {
                watch.close();
                watchClient.close();
            }
        }
        System.out.print(md);
        return ok ? 0 : 3;
    }

    private static ActionResult decided(ResultsFollower results, String id) {
        return results.of(id).stream().map(ResultsFollower.Seen::result)
                .filter(r -> !"join".equals(r.details().get("stage"))).findFirst().orElse(null);
    }

    private static Instant seenAt(ResultsFollower results, String id) {
        return results.of(id).stream().filter(s -> !"join".equals(s.result().details().get("stage")))
                .map(ResultsFollower.Seen::seenAt).findFirst().orElseThrow();
    }

    private String report(Report.Machine machine, Latencies clone, Latencies cloneResult, Latencies down,
            Latencies downResult, int left, boolean ok) {
        StringBuilder md = new StringBuilder();
        md.append("### Host service: a group of ").append(nodes).append(" Cluster API hosts\n\n");
        md.append(machine.summary()).append("\n\n");
        md.append(String.format(Locale.ROOT, "%d clones (amount 1), %d scale-downs of %d hosts, one request at a "
                + "time; %d Nodes left; checks %s.%n%n", clone.count(), down.count(), downAmount, left,
                ok ? "passed" : "FAILED"));
        md.append(Latencies.header());
        md.append(clone.row("202 → clone written (MachineDeployment replicas + event id)"));
        md.append(cloneResult.row("202 → clone result read"));
        md.append(down.row("202 → drain of " + downAmount + " hosts asked (every eviction can be requested)"));
        md.append(downResult.row("202 → scale-down result read (drained at once; machines marked, replicas, "
                + "Nodes deleted)"));
        md.append('\n');
        return md.toString();
    }

    private void seed(KubernetesClient client) {
        for (String[] kind : new String[][] {{"Machine", "machines"}, {"MachineSet", "machinesets"},
                {"MachineDeployment", "machinedeployments"}}) {
            client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                    .withNewMetadata().withName(kind[1] + "." + GROUP).endMetadata()
                    .withNewSpec().withGroup(GROUP).withScope("Namespaced")
                    .withNewNames().withKind(kind[0]).withPlural(kind[1]).withSingular(kind[0].toLowerCase())
                    .endNames()
                    .addNewVersion().withName(VERSION).withServed(true).withStorage(true).endVersion()
                    .endSpec().build()).create();
        }
        create(client, "MachineDeployment", "machinedeployments", POOL, null, null, nodes);
        create(client, "MachineSet", "machinesets", POOL + "-ms", "MachineDeployment", POOL, nodes);
        for (int i = 0; i < nodes; i++) {
            String machine = POOL + "-m-" + i;
            create(client, "Machine", "machines", machine, "MachineSet", POOL + "-ms", null);
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(POOL + "-n-" + i)
                    .withLabels(LABELS)
                    .withAnnotations(Map.of("cluster.x-k8s.io/machine", machine,
                            "cluster.x-k8s.io/cluster-namespace", NAMESPACE))
                    .endMetadata()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .endStatus().build()).create();
        }
    }

    private static ResourceDefinitionContext context(String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(GROUP).withVersion(VERSION).withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    private static void create(KubernetesClient client, String kind, String plural, String name, String ownerKind,
            String owner, Integer replicas) {
        GenericKubernetesResourceBuilder builder = new GenericKubernetesResourceBuilder()
                .withApiVersion(GROUP + "/" + VERSION).withKind(kind)
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata();
        if (owner != null) {
            builder.editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(GROUP + "/" + VERSION)
                    .withKind(ownerKind).withName(owner).withUid(owner + "-uid").withController(true).build())
                    .endMetadata();
        }
        GenericKubernetesResource object = builder.build();
        if (replicas != null) {
            object.setAdditionalProperty("spec", new HashMap<>(Map.of("replicas", replicas)));
        } else {
            object.setAdditionalProperty("status", Map.of("phase", "Running"));
        }
        client.genericKubernetesResources(context(kind, plural)).inNamespace(NAMESPACE).resource(object).create();
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
