package dev.winch.bench;

import dev.winch.bench.HookClient.Answer;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.upgrader.UpgraderConfig;
import dev.winch.upgrader.UpgraderService;
import dev.winch.upgrader.kubernetes.KubernetesWorkloads;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The upgrader end to end: from the gateway's 202 for one Docker Hub push to the update of every workload the
 * push's receiver selects (Rancher 1.x {@code serviceUpgrade}: label selector over several namespaces).
 *
 * <p>One JVM: the embedded KRaft broker, the sandbox Kubernetes API (fabric8 mock server, CRUD mode) with
 * {@code --namespaces} namespaces {@code bench-0..} of {@code --per-namespace} Deployments each, labelled
 * {@code app=bench}, one container {@code iperf3} running {@code hongxiaolu/iperf3:1.0}; the gateway with one
 * {@code serviceUpgrade} receiver per push (exact tag policy, each its own tag: {@code 1.1, 1.2, ...} for the
 * warm-up pushes, then {@code 2.0, 2.1, ...} for the measured ones; selector {@code app=bench}, those namespaces,
 * Docker Hub payloads); one upgrader. Each repetition POSTs one push of the next tag and times, from the 202: the
 * first and the last
 * workload seen updated by a watch on the Deployments (the container's image is the pushed one), and the first and
 * the last {@code details.stage=apply} result on {@code winch.results}.
 *
 * <p>Progress goes to stderr, the markdown report to stdout. Exit status 3 when a repetition did not update every
 * workload.
 */
public final class UpgraderBenchmark {

    static final String REPOSITORY = "hongxiaolu/iperf3";
    static final String CONTAINER = "iperf3";
    static final String START_IMAGE = REPOSITORY + ":1.0";
    private static final Map<String, String> SELECTOR = Map.of("app", "bench");
    private static final long TIMEOUT_MILLIS = 300_000;

    static final String USAGE = """
            usage: java -cp bench/target/winch-bench.jar dev.winch.bench.UpgraderBenchmark [options]
              --namespaces N      namespaces bench-0.. (default 10)
              --per-namespace N   Deployments per namespace, all labelled app=bench (default 10)
              --warmup N          pushes before the measured ones, tags 1.1, 1.2, ..., not counted (default 20)
              --repetitions N     measured pushes, tags 2.0, 2.1, ... one receiver each (default 10)
              --pause-ms N        wait between measured pushes (default 2000; 200 between warm-up pushes)
              --worker-pool N     the upgrader's WINCH_WORKER_POOL_SIZE (default empty: the runtime's default)
              --log MODE          discard | file | off: the services' INFO lines (default discard: formatted,
                                  not written)
            """;

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("namespaces", "10");
        DEFAULTS.put("per-namespace", "10");
        DEFAULTS.put("warmup", "20");
        DEFAULTS.put("repetitions", "10");
        DEFAULTS.put("pause-ms", "2000");
        DEFAULTS.put("worker-pool", "");
        DEFAULTS.put("log", "discard");
    }

    /** One push and what it took. Times in ms from the 202; NaN when it did not happen. */
    private record Repetition(int number, String tag, double http, double firstUpdate, double lastUpdate,
            double firstApply, double lastApplyFinished, double lastApplyRead, int updated, String outcomes,
            String eventId) {
    }

    private final PrintStream progress = System.err;
    private final Flags flags;
    private final Path work;
    private final int namespaces;
    private final int perNamespace;
    private final int warmup;
    private final int repetitions;
    private final int pauseMillis;
    private final String token = "bench-upgrade-" + Long.toHexString(new Random().nextLong());

    /** The image the current repetition pushes; null between repetitions. */
    private volatile String target;
    /** Per Deployment (namespace/name): when it was first seen running {@link #target}. */
    private final Map<String, Instant> updated = new ConcurrentHashMap<>();
    private boolean failed;

    private UpgraderBenchmark(Flags flags, Path work) {
        this.flags = flags;
        this.work = work;
        this.namespaces = flags.integer("namespaces", 1, 100);
        this.perNamespace = flags.integer("per-namespace", 1, 1000);
        this.warmup = flags.integer("warmup", 0, 1000);
        this.repetitions = flags.integer("repetitions", 1, 100);
        this.pauseMillis = flags.integer("pause-ms", 0, 600_000);
    }

    public static void main(String[] args) throws Exception {
        ServiceBenchmarkMain.run(args, DEFAULTS, USAGE, "upgrader", (flags, work) -> new UpgraderBenchmark(flags, work).run());
    }

    private int run() throws Exception {
        Report.Machine machine = Report.Machine.describe();
        progress.println("[bench] " + machine.summary());
        int total = namespaces * perNamespace;
        List<Repetition> done = new ArrayList<>();
        UpgraderConfig config;
        Map<String, Long> rolloutResults = new TreeMap<>();
        List<String> cpuLines = new ArrayList<>();
        List<Double> warmups = new ArrayList<>();
        Latencies selection;
        String finalCheck;
        try (ServiceStack stack = ServiceStack.start(progress)) {
            seed(stack.kubernetes());
            int gatewayPort = stack.startGateway(Map.of("WINCH_RECEIVERS_FILE", receiversFile().toString()));
            Map<String, String> settings = new HashMap<>(Map.of("WINCH_CONSUMER_GROUP", "bench-upgrader"));
            Integer pool = flags.optionalInteger("worker-pool", 1, 256);
            if (pool != null) {
                settings.put("WINCH_WORKER_POOL_SIZE", String.valueOf(pool));
            }
            config = UpgraderConfig.fromEnv(stack.workerEnv(settings));
            ServiceRuntime runtime = stack.runtime(config.runtime());
            UpgraderService upgrader = new UpgraderService(runtime, config, stack.newKubernetesClient());
            upgrader.start().await(60, TimeUnit.SECONDS);
            runtime.markStarted();
            if (!ServiceStack.await(upgrader::hasAssignment, 60_000)) {
                throw new IllegalStateException("the upgrader got no partition within 60 s");
            }
            progress.printf("[bench] gateway on port %d; upgrader started (worker pool %d); %d Deployments%n",
                    gatewayPort, config.runtime().workerPoolSize(), total);

            HookClient http = new HookClient(gatewayPort, token);
            try (ResultsFollower results = new ResultsFollower(stack.bootstrapServers(), progress);
                    DeploymentWatch watch = new DeploymentWatch(stack.newKubernetesClient(), null, SELECTOR,
                            this::recordUpdate, progress)) {
                for (int w = 1; w <= warmup; w++) {
                    Repetition rep = push(w, "1." + w, http, results, total);
                    warmups.add(rep.lastUpdate());
                    Thread.sleep(200);
                }
                if (warmup > 0) {
                    Thread.sleep(pauseMillis);
                }
                CpuMeter cpu = new CpuMeter();
                for (int r = 1; r <= repetitions; r++) {
                    CpuMeter.Snapshot start = cpu.snapshot();
                    long windowStart = System.nanoTime();
                    Repetition rep = push(warmup + r, "2." + (r - 1), http, results, total);
                    done.add(rep);
                    cpuLines.add("repetition " + r + ": " + CpuMeter.between(start, cpu.snapshot())
                            .describe((System.nanoTime() - windowStart) / 1e9, machine.cpus()));
                    if (r < repetitions) {
                        Thread.sleep(pauseMillis);
                    }
                }
                // A push that supersedes the previous one's rollouts reports each of them (SKIPPED, superseded)
                // after its own apply results; give the last of those reports a moment to arrive.
                ServiceStack.await(() -> done.subList(0, done.size() - 1).stream().allMatch(rep ->
                        rollouts(results, rep.eventId()) >= total), 10_000);
                for (Repetition rep : done) {
                    rolloutResults.put(rep.tag(), rollouts(results, rep.eventId()));
                }
                if (watch.closedWith() != null) {
                    fail("the Deployment watch closed during the run: " + watch.closedWith());
                }
            }
            finalCheck = finalImages(stack.kubernetes(), done.get(done.size() - 1).tag(), total);
            selection = selectionProbe(stack.newKubernetesClient());
        }
        System.out.print(markdown(machine, config, total, done, rolloutResults, finalCheck, cpuLines, warmups,
                selection));
        System.out.flush();
        return failed ? 3 : 0;
    }

    /** Push number {@code number} (its receiver is {@code upgrade-<number>}), of {@code tag}. */
    private Repetition push(int number, String tag, HookClient http, ResultsFollower results, int total)
            throws Exception {
        updated.clear();
        target = REPOSITORY + ":" + tag;
        progress.printf("[bench] push %d: %s%n", number, target);
        Answer answer = http.post("upgrade-" + number, DockerHubPush.push("iperf3", tag));
        if (!answer.accepted()) {
            fail("push " + number + ": the gateway answered " + answer.status() + ": " + answer.body());
            return new Repetition(number, tag, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, 0, "–", "none");
        }
        String id = answer.eventId();
        Instant accepted = answer.answeredAt();
        boolean complete = ServiceStack.await(() -> updated.size() >= total && apply(results, id).size() >= total,
                TIMEOUT_MILLIS);
        target = null;
        List<ResultsFollower.Seen> applied = apply(results, id);
        if (!complete) {
            fail("push " + number + ": " + updated.size() + " of " + total + " workloads updated and "
                    + applied.size() + " apply results within " + TIMEOUT_MILLIS / 1000 + " s");
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        applied.forEach(s -> outcomes.merge(s.result().outcome().name().toLowerCase(Locale.ROOT), 1, Integer::sum));
        Repetition rep = new Repetition(number, tag, ms(answer.sentAt(), accepted),
                ms(accepted, first(updated.values(), Function.identity())),
                ms(accepted, last(updated.values(), Function.identity())),
                ms(accepted, first(applied, s -> s.result().finishedAt())),
                ms(accepted, last(applied, s -> s.result().finishedAt())),
                ms(accepted, last(applied, ResultsFollower.Seen::seenAt)), updated.size(), outcomes.toString(), id);
        progress.printf(Locale.ROOT, "[bench] push %d: first update %.0f ms, last %.0f ms, last apply result "
                + "%.0f ms after the 202%n", number, rep.firstUpdate(), rep.lastUpdate(), rep.lastApplyRead());
        return rep;
    }

    private static List<ResultsFollower.Seen> apply(ResultsFollower results, String eventId) {
        return results.of(eventId).stream().filter(s -> "apply".equals(s.result().details().get("stage"))).toList();
    }

    /** Times the upgrader's own selection step (blocking, as on its worker pool) on the idle stack. */
    private Latencies selectionProbe(KubernetesClient client) {
        try (client) {
            KubernetesWorkloads operations = new KubernetesWorkloads(client);
            List<String> all = new ArrayList<>();
            for (int n = 0; n < namespaces; n++) {
                all.add("bench-" + n);
            }
            List<Long> nanos = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                long start = System.nanoTime();
                int found = operations.select(all, SELECTOR).size();
                if (i >= 5) {
                    nanos.add(System.nanoTime() - start);
                }
                if (found != namespaces * perNamespace) {
                    fail("the selection probe found " + found + " workloads");
                }
            }
            return Latencies.ofNanos(nanos);
        }
    }

    private static long rollouts(ResultsFollower results, String eventId) {
        return results.of(eventId).stream().filter(s -> "rollout".equals(s.result().details().get("stage")))
                .count();
    }

    private void recordUpdate(Deployment deployment, Instant at) {
        String image = deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(CONTAINER)).map(c -> c.getImage()).findFirst().orElse(null);
        String wanted = target;
        if (wanted != null && wanted.equals(image)) {
            updated.putIfAbsent(DeploymentWatch.key(deployment), at);
        }
    }

    /** Every workload should run the last pushed tag at the end. */
    private String finalImages(KubernetesClient client, String tag, int total) {
        Map<String, Integer> images = new TreeMap<>();
        for (Deployment d : client.apps().deployments().inAnyNamespace().withLabels(SELECTOR).list().getItems()) {
            images.merge(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(), 1, Integer::sum);
        }
        Integer last = images.get(REPOSITORY + ":" + tag);
        if (last == null || last != total) {
            fail("at the end " + images + " instead of " + total + " × " + REPOSITORY + ":" + tag);
        }
        return images.toString();
    }

    // ---------------------------------------------------------------- report

    private String markdown(Report.Machine machine, UpgraderConfig config, int total, List<Repetition> reps,
            Map<String, Long> rolloutResults, String finalCheck, List<String> cpuLines, List<Double> warmups,
            Latencies selection) {
        StringBuilder md = new StringBuilder();
        md.append("## Upgrader benchmark, ")
                .append(OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE)).append("\n\n");
        md.append("- Machine: ").append(machine.summary()).append(" (at the start of the run)\n");
        md.append("- Options: `").append(flags.describe()).append("`\n");
        md.append(String.format(Locale.ROOT, "- One push matches %d Deployments (%d namespaces × %d, selector "
                        + "app=bench); upgrader WINCH_WORKER_POOL_SIZE=%d (workloads updated %d at a time), "
                        + "rollout poll interval %d ms%n", total, namespaces, perNamespace,
                config.runtime().workerPoolSize(), config.runtime().workerPoolSize(),
                config.rolloutPollInterval().toMillis()));
        md.append("- Updated: when a watch on the Deployments first saw the container run the pushed image\n");
        md.append(String.format(Locale.ROOT, "- Warm-up: %d pushes (tags 1.1–1.%d), not counted; 202 → last "
                + "workload updated, ms: %s%n%n", warmups.size(), warmups.size(),
                String.join(", ", warmups.stream().map(Latencies::ms).toList())));
        md.append("| rep | tag | sent → 202 ms | 202 → first workload updated ms | **202 → last (")
                .append(total).append("th) workload updated ms** | 202 → first apply result (finishedAt) ms "
                        + "| 202 → ").append(total).append("th apply result (finishedAt) ms | 202 → ").append(total)
                .append("th apply result read ms | workloads updated | apply outcomes | rollout-stage results "
                        + "(superseded by the next push) |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (Repetition r : reps) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %d | %s | %d |%n",
                    r.number() - warmup, r.tag(), Latencies.ms(r.http()), Latencies.ms(r.firstUpdate()),
                    Latencies.ms(r.lastUpdate()), Latencies.ms(r.firstApply()), Latencies.ms(r.lastApplyFinished()),
                    Latencies.ms(r.lastApplyRead()), r.updated(), r.outcomes(),
                    rolloutResults.getOrDefault(r.tag(), 0L)));
        }
        median(md, "median, all", reps);
        if (reps.size() > 2) {
            median(md, "median, 2–" + reps.size(), reps.subList(1, reps.size()));
        }
        md.append("\nAt the end: ").append(finalCheck).append("\n\n");
        md.append(String.format(Locale.ROOT, "The upgrader's selection step alone (`KubernetesWorkloads.select`: one "
                        + "LIST per kind and namespace, %d requests one after another), called %d times from the "
                        + "benchmark after the run, on an idle stack: p50 %s ms, min %s ms, max %s ms.%n%n",
                3 * namespaces, selection.count(), Latencies.ms(selection.millis(0.5)),
                Latencies.ms(selection.minMillis()), Latencies.ms(selection.maxMillis())));
        md.append("CPU from the POST until the last apply result was read:\n\n");
        cpuLines.forEach(line -> md.append("- ").append(line).append('\n'));
        md.append('\n');
        if (failed) {
            md.append("**FAILED**: see the progress output\n\n");
        }
        return md.toString();
    }

    private static void median(StringBuilder md, String label, List<Repetition> reps) {
        md.append(String.format(Locale.ROOT, "| %s | | %s | %s | **%s** | %s | %s | %s | | | |%n", label,
                Latencies.ms(median(reps, Repetition::http)), Latencies.ms(median(reps, Repetition::firstUpdate)),
                Latencies.ms(median(reps, Repetition::lastUpdate)), Latencies.ms(median(reps, Repetition::firstApply)),
                Latencies.ms(median(reps, Repetition::lastApplyFinished)),
                Latencies.ms(median(reps, Repetition::lastApplyRead))));
    }

    private static double median(List<Repetition> reps, Function<Repetition, Double> value) {
        List<Double> sorted = reps.stream().map(value).filter(v -> !v.isNaN()).sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static <T> Instant first(java.util.Collection<T> items, Function<T, Instant> time) {
        return items.stream().map(time).min(Comparator.naturalOrder()).orElse(null);
    }

    private static <T> Instant last(java.util.Collection<T> items, Function<T, Instant> time) {
        return items.stream().map(time).max(Comparator.naturalOrder()).orElse(null);
    }

    private static double ms(Instant from, Instant to) {
        return from == null || to == null ? Double.NaN : Latencies.between(from, to) / 1e6;
    }

    private void fail(String failure) {
        failed = true;
        progress.println("[bench] FAILED: " + failure);
    }

    // ---------------------------------------------------------------- setup

    private void seed(KubernetesClient client) {
        for (int n = 0; n < namespaces; n++) {
            String namespace = "bench-" + n;
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
            for (int d = 0; d < perNamespace; d++) {
                String name = "app-" + d;
                Map<String, String> labels = Map.of("app", "bench", "workload", name);
                client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withReplicas(1)
                            .withNewSelector().withMatchLabels(Map.of("workload", name)).endSelector()
                            .withNewTemplate()
                                .withNewMetadata().withLabels(labels).endMetadata()
                                .withNewSpec().addNewContainer().withName(CONTAINER).withImage(START_IMAGE)
                                    .endContainer().endSpec()
                            .endTemplate()
                        .endSpec()
                        .build()).create();
            }
        }
    }

    /**
     * One serviceUpgrade receiver per push, each following its own tag with the default (exact) policy: a push
     * of 2.1 to a receiver of tag 2.0 would be answered "not taken".
     */
    private Path receiversFile() throws Exception {
        List<String> all = new ArrayList<>();
        for (int n = 0; n < namespaces; n++) {
            all.add("bench-" + n);
        }
        StringBuilder yaml = new StringBuilder("receivers:\n");
        for (int n = 1; n <= warmup + repetitions; n++) {
            String tag = n <= warmup ? "1." + n : "2." + (n - warmup - 1);
            yaml.append(String.format(Locale.ROOT, """
                      - id: upgrade-%d
                        kind: serviceUpgrade
                        token: %s
                        serviceUpgrade:
                          tag: "%s"
                          serviceSelector: {app: bench}
                          namespaces: [%s]
                          payloadFormat: dockerhub
                    """, n, token, tag, String.join(", ", all)));
        }
        Path file = work.resolve("receivers.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
