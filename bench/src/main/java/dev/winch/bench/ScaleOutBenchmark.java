package dev.winch.bench;

import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.kafka.KafkaSettings;
import dev.winch.common.kafka.TopicCreator;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.scaler.ScalerConfig;
import dev.winch.scaler.ScalerService;
import dev.winch.testkit.EmbeddedKafkaBroker;
import dev.winch.testkit.SandboxKubernetes;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.Counter;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * Scaler replicas against a Kubernetes API server that takes a fixed time per call: how many scale requests a second
 * go through 1, 2 and 3 replicas, and how long the partitions of a replica that dies stand still.
 *
 * <p>One JVM for the broker (embedded KRaft), the sandbox API server (fabric8 mock server, CRUD mode) answering each
 * call {@code --latency-ms} late, the load and the in-process replicas (each on a ServiceRuntime and a Kubernetes
 * client of its own, as processes would have). Requests are written straight to {@code winch.service.scale}
 * ({@code --partitions}, default 6), as the gateway writes them, so the gateway's cost is not in the figures.
 *
 * <ul>
 *   <li><b>Throughput</b>: for each count in {@code --replicas}, a fresh consumer group of that many replicas (started
 *       at the end of the topic, every member holding partitions and the group stable) drains {@code --events} requests written as fast as the producer takes them, spread over
 *       {@code --targets} Deployments; the figure is requests / (last result read − first request sent). The writes
 *       to Kubernetes are counted from the replicas' {@code winch_scaler_writes_total}. Before any measurement,
 *       {@code --jit-warmup-events} go through the most replicas (the first measurement of a run was the slowest
 *       whatever its count); before each, {@code --warmup-events} through the same count; {@code --rounds} rounds,
 *       each in the reverse order of the last, and the median per count.</li>
 *   <li><b>Stall</b>: three replicas, requests at {@code --stall-rate} a second; after {@code --stall-steady-seconds},
 *       one replica dies. {@code leave}: in-process, its runtime closed with no grace (work in flight abandoned and
 *       not committed; the consumer leaves the group, as a process does on SIGTERM with a zero grace or when its
 *       Kafka client closes). {@code crash}: the replica is a child JVM ({@code ScalerMain}) killed with SIGKILL, so
 *       nobody tells the group; it learns it from the missing heartbeats after {@code session.timeout.ms} (Kafka's
 *       default, 45 s). The figures: the time from the death until the group is stable again with the two others holding
 *       every partition (read with the admin client every 10 ms), and the longest time from a request's write to its
 *       result among requests written after the death, against the median before it.</li>
 * </ul>
 * Progress goes to stderr, the markdown report to stdout. Exit status 3 when a request never got a result.
 */
public final class ScaleOutBenchmark {

    private static final String NAMESPACE = "bench";
    private static final URI SOURCE = URI.create("/winch/bench/scale-out");
    private static final long RESULT_TIMEOUT_MILLIS = 300_000;

    static final String USAGE = """
            usage: java -cp bench/target/winch-bench.jar dev.winch.bench.ScaleOutBenchmark [options]
              --replicas LIST          replica counts of the throughput part (default 1,2,3)
              --latency-ms N           time the API server takes per call (default 5)
              --partitions N           partitions of winch.service.scale (default 6)
              --targets N              Deployments the requests are spread over (default 60)
              --events N               measured requests per replica count (default 6000)
              --warmup-events N        requests before each measurement, same replicas, not counted (default 1000)
              --jit-warmup-events N    requests through the most replicas before any measurement (default 12000)
              --rounds N               measurements per count; each round in the reverse order of the last (default 2)
              --max-batch N            the scaler's WINCH_SCALER_MAX_BATCH (default empty: its default, 200)
              --worker-pool N          the scaler's WINCH_WORKER_POOL_SIZE (default empty: its default, 8)
              --stall MODES            leave, crash, both or none (default leave,crash)
              --stall-rate R           requests per second during the stall part (default 20)
              --stall-steady-seconds N seconds of load before a replica dies (default 10)
              --stall-after-seconds N  seconds of load after it died (default 15; crash: at least 60)
              --log MODE               discard | file | off: the services' INFO lines (default discard)
            """;

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("replicas", "1,2,3");
        DEFAULTS.put("latency-ms", "5");
        DEFAULTS.put("partitions", "6");
        DEFAULTS.put("targets", "60");
        DEFAULTS.put("events", "6000");
        DEFAULTS.put("warmup-events", "1000");
        DEFAULTS.put("jit-warmup-events", "12000");
        DEFAULTS.put("rounds", "2");
        DEFAULTS.put("max-batch", "");
        DEFAULTS.put("worker-pool", "");
        DEFAULTS.put("stall", "leave,crash");
        DEFAULTS.put("stall-rate", "20");
        DEFAULTS.put("stall-steady-seconds", "10");
        DEFAULTS.put("stall-after-seconds", "15");
        DEFAULTS.put("log", "discard");
    }

    private final PrintStream progress = System.err;
    private final Flags flags;
    private final Path work;
    private final List<Integer> replicaCounts;
    private final int latencyMs;
    private final int partitions;
    private final int targets;
    private final int events;
    private final int warmupEvents;
    private final int jitWarmupEvents;
    private final int rounds;
    private final Integer maxBatch;
    private final Integer workerPool;
    private final List<String> stallModes;
    private final int stallRate;
    private final int steadySeconds;
    private final int afterSeconds;
    private final EventCodec codec = new EventCodec();
    private final CpuMeter cpu = new CpuMeter();
    private final int cpus = Runtime.getRuntime().availableProcessors();
    private final Random random = new Random(1);
    private final List<String> notes = new ArrayList<>();
    private EmbeddedKafkaBroker kafka;
    private SandboxKubernetes kubernetes;
    private KafkaProducer<String, byte[]> producer;
    private boolean failed;

    private ScaleOutBenchmark(Flags flags, Path work) {
        this.flags = flags;
        this.work = work;
        this.replicaCounts = flags.list("replicas").stream().map(Integer::parseInt).toList();
        if (replicaCounts.stream().anyMatch(n -> n < 1 || n > 16)) {
            throw new IllegalArgumentException("--replicas must list counts between 1 and 16, got " + replicaCounts);
        }
        this.latencyMs = flags.integer("latency-ms", 0, 10_000);
        this.partitions = flags.integer("partitions", 1, 1000);
        this.targets = flags.integer("targets", 1, 10_000);
        this.events = flags.integer("events", 1, 1_000_000);
        this.warmupEvents = flags.integer("warmup-events", 0, 1_000_000);
        this.jitWarmupEvents = flags.integer("jit-warmup-events", 0, 10_000_000);
        this.rounds = flags.integer("rounds", 1, 100);
        this.maxBatch = flags.optionalInteger("max-batch", 1, ScalerConfig.MOST_BATCH);
        this.workerPool = flags.optionalInteger("worker-pool", 1, 256);
        List<String> stall = flags.list("stall");
        this.stallModes = stall.contains("both") ? List.of("leave", "crash")
                : stall.contains("none") ? List.of() : stall;
        if (!List.of("leave", "crash").containsAll(stallModes)) {
            throw new IllegalArgumentException("--stall must list leave, crash, both or none, got " + stall);
        }
        this.stallRate = flags.integer("stall-rate", 1, 100_000);
        this.steadySeconds = flags.integer("stall-steady-seconds", 1, 3600);
        this.afterSeconds = flags.integer("stall-after-seconds", 1, 3600);
    }

    public static void main(String[] args) throws Exception {
        ServiceBenchmarkMain.run(args, DEFAULTS, USAGE, "scale-out",
                (flags, work) -> new ScaleOutBenchmark(flags, work).run());
    }

    private int run() throws Exception {
        Report.Machine machine = Report.Machine.describe();
        progress.println("[bench] " + machine.summary());
        StringBuilder md = new StringBuilder();
        md.append("## Scale-out benchmark, ")
                .append(OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE)).append("\n\n");
        md.append("- Machine: ").append(machine.summary()).append(" (at the start of the run)\n");
        md.append("- Options: `").append(flags.describe()).append("`\n");
        md.append(String.format(Locale.ROOT, "- %d partitions on winch.service.scale; every API call answered %d ms "
                + "late; %d Deployments; requests written straight to Kafka%n%n", partitions, latencyMs, targets));
        kafka = EmbeddedKafkaBroker.start();
        try {
            TopicCreator.createForSingleBroker(kafka.bootstrapServers(), partitions);
            kubernetes = SandboxKubernetes.startWithLatency(Duration.ofMillis(latencyMs));
            seed();
            Map<String, String> producerConfig = KafkaSettings.producer(kafka.bootstrapServers(), "bench-load");
            producer = new KafkaProducer<>(new HashMap<String, Object>(producerConfig));
            try (ResultsFollower results = new ResultsFollower(kafka.bootstrapServers(), progress)) {
                throughput(results, md);
                for (String mode : stallModes) {
                    stall(mode, results, md);
                }
            } finally {
                producer.close(Duration.ofSeconds(5));
            }
        } finally {
            if (kubernetes != null) {
                kubernetes.close();
            }
            kafka.close();
        }
        if (!notes.isEmpty()) {
            md.append("### Checks\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
            md.append('\n');
        }
        System.out.print(md);
        System.out.flush();
        return failed ? 3 : 0;
    }

    // ---------------------------------------------------------------- throughput

    private void throughput(ResultsFollower results, StringBuilder md) throws Exception {
        if (replicaCounts.isEmpty()) {
            return;
        }
        int most = replicaCounts.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (jitWarmupEvents > 0) {
            // The first measurement of a run was the slowest whatever its replica count: the JIT was still at work.
            progress.printf("[bench] JIT warm-up: %d requests through %d replica(s), not counted%n", jitWarmupEvents,
                    most);
            measure(most, jitWarmupEvents, results);
        }
        List<Integer> order = new ArrayList<>(replicaCounts);
        for (int round = 1; round < rounds; round++) {
            List<Integer> again = new ArrayList<>(replicaCounts);
            if (round % 2 == 1) {
                java.util.Collections.reverse(again);
            }
            order.addAll(again);
        }
        md.append("### Throughput\n\nIn the order run (each round reverses the previous one, so a drift of the machine "
                + "does not favour one count):\n\n| replicas | requests | seconds | requests/s | Kubernetes writes "
                + "| requests per write | benchmark JVM, cores | machine busy |\n|---|---|---|---|---|---|---|---|\n");
        Map<Integer, List<Double>> rates = new java.util.TreeMap<>();
        for (int count : order) {
            if (warmupEvents > 0) {
                measure(count, warmupEvents, results);
            }
            Measured m = measure(count, events, results);
            rates.computeIfAbsent(count, c -> new ArrayList<>()).add(m.perSecond());
            md.append(String.format(Locale.ROOT, "| %d | %,d | %.2f | %,.0f | %,.0f | %.1f | %.2f | %s |%n",
                    count, events, m.seconds(), m.perSecond(), m.writes(), events / Math.max(1, m.writes()),
                    m.jvmCores(), percent(m.machineBusy())));
        }
        double base = medianOf(rates.getOrDefault(1, List.of()));
        md.append("\n| replicas | requests/s, median of the rounds | ratio to one replica |\n|---|---|---|\n");
        rates.forEach((count, list) -> md.append(String.format(Locale.ROOT, "| %d | %,.0f | %s |%n", count,
                medianOf(list), Double.isNaN(base) ? "" : String.format(Locale.ROOT, "%.2f", medianOf(list) / base))));
        md.append('\n');
    }

    private record Measured(double seconds, double perSecond, double writes, double jvmCores, double machineBusy) {
    }

    /** {@code count} replicas in a fresh group drain {@code n} requests written at once. */
    private Measured measure(int count, int n, ResultsFollower results) throws Exception {
        String group = "bench-scale-out-" + count + "-" + UUID.randomUUID().toString().substring(0, 6);
        startAtEnd(group);
        List<ServiceRuntime> runtimes = new ArrayList<>();
        try {
            for (int i = 1; i <= count; i++) {
                runtimes.add(startReplica(group, "scaler-" + i));
            }
            awaitStable(group, count);
            double writesBefore = sum(runtimes, "winch_scaler_writes_total");
            CpuMeter.Snapshot cpuStart = cpu.snapshot();
            long start = System.nanoTime();
            Instant firstSent = Instant.now();
            Instant last = drain(send(requests(n)), results);
            double seconds = Latencies.between(firstSent, last) / 1e9;
            CpuMeter.Usage usage = CpuMeter.between(cpuStart, cpu.snapshot());
            double window = (System.nanoTime() - start) / 1e9;
            double writes = sum(runtimes, "winch_scaler_writes_total") - writesBefore;
            progress.printf(Locale.ROOT, "[bench] %d replica(s): %d requests in %.2f s, %.0f/s, %.0f writes; %s%n",
                    count, n, seconds, n / seconds, writes, usage.describe(window, cpus));
            return new Measured(seconds, n / seconds, writes, usage.processNanos() / 1e9 / window,
                    usage.machineBusy());
        } finally {
            for (ServiceRuntime runtime : runtimes) {
                runtime.close().await(60, TimeUnit.SECONDS);
            }
        }
    }

    private static double medianOf(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }

    // ---------------------------------------------------------------- stall

    private void stall(String mode, ResultsFollower results, StringBuilder md) throws Exception {
        String group = "bench-stall-" + mode + "-" + UUID.randomUUID().toString().substring(0, 6);
        startAtEnd(group);
        List<ServiceRuntime> runtimes = new ArrayList<>();
        List<Process> children = new ArrayList<>();
        int after = mode.equals("crash") ? Math.max(60, afterSeconds) : afterSeconds;
        try {
            for (int i = 1; i <= 3; i++) {
                if (mode.equals("crash")) {
                    children.add(startChild(group, "scaler-" + i));
                } else {
                    runtimes.add(startReplica(group, "scaler-" + i));
                }
            }
            awaitStable(group, 3);
            progress.printf("[bench] stall (%s): 3 replicas, %d requests/s%n", mode, stallRate);
            List<Sent> sent = new ArrayList<>();
            long periodNanos = TimeUnit.SECONDS.toNanos(1) / stallRate;
            long begin = System.nanoTime();
            long deathAt = begin + TimeUnit.SECONDS.toNanos(steadySeconds);
            long end = deathAt + TimeUnit.SECONDS.toNanos(after);
            Instant death = null;
            java.util.concurrent.CompletableFuture<Long> settled = null;
            long next = begin;
            while (System.nanoTime() < end) {
                if (death == null && System.nanoTime() >= deathAt) {
                    death = Instant.now();
                    if (mode.equals("crash")) {
                        children.get(1).destroyForcibly();
                    } else {
                        // the runtime's shutdown grace is zero: its close is a kill that the group is told of
                        runtimes.remove(1).close();
                    }
                    progress.printf("[bench] replica scaler-2 %s%n", mode.equals("crash") ? "killed (SIGKILL)"
                            : "stopped with no grace");
                    long killedAt = System.nanoTime();
                    settled = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            awaitStable(group, 2);
                            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                        } catch (Exception e) {
                            return -1L;
                        }
                    });
                }
                sent.addAll(send(requests(1)));
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            drain(sent, results);
            long settleMillis = settled == null ? -1 : settled.get(5, TimeUnit.MINUTES);
            Instant died = death;
            List<Long> before = new ArrayList<>();
            List<Long> afterDeath = new ArrayList<>();
            long worst = 0;
            Instant worstSent = null;
            for (Sent s : sent) {
                long millis = Latencies.between(s.at(), results.of(s.id()).get(0).seenAt()) / 1_000_000;
                if (s.at().isBefore(died)) {
                    before.add(millis);
                } else {
                    afterDeath.add(millis);
                    if (millis > worst) {
                        worst = millis;
                        worstSent = s.at();
                    }
                }
            }
            before.sort(null);
            afterDeath.sort(null);
            long late = afterDeath.stream().filter(m -> m > 4 * Math.max(50, median(before))).count();
            md.append(String.format(Locale.ROOT, "### Stall when a replica dies (%s)%n%n", mode.equals("crash")
                    ? "crash: a child JVM killed with SIGKILL" : "leave: stopped with no grace, the group told"));
            md.append(String.format(Locale.ROOT, "- %d requests/s over %d Deployments, 3 replicas; scaler-2 died "
                    + "after %d s, load went on for %d s%n", stallRate, targets, steadySeconds, after));
            md.append(String.format(Locale.ROOT, "- the group without scaler-2, its partitions handed to the others "
                    + "(stable, 2 members, every partition assigned): **%,d ms** after the death%n", settleMillis));
            md.append(String.format(Locale.ROOT, "- request to result before the death: median %d ms, p99 %d ms%n",
                    median(before), percentile(before, 0.99)));
            md.append(String.format(Locale.ROOT, "- after it: median %d ms, longest **%,d ms** (a request written "
                    + "%.1f s after the death); %d requests took over four times the median before%n%n",
                    median(afterDeath), worst,
                    worstSent == null ? 0.0 : Latencies.between(died, worstSent) / 1e9, late));
            progress.printf("[bench] stall (%s): group settled %d ms after the death; longest %d ms after it, "
                    + "median before %d ms%n", mode, settleMillis, worst, median(before));
        } finally {
            for (ServiceRuntime runtime : runtimes) {
                runtime.close().await(60, TimeUnit.SECONDS);
            }
            for (Process child : children) {
                child.destroy();
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
    }

    // ---------------------------------------------------------------- replicas

    private ServiceRuntime startReplica(String group, String name) throws Exception {
        ScalerConfig config = ScalerConfig.fromEnv(env(group, name));
        ServiceRuntime runtime = ServiceRuntime.create(config.runtime());
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(kubernetes.url()).withNamespace("default").build()).build();
        new ScalerService(runtime, client, config).start().await(60, TimeUnit.SECONDS);
        return runtime;
    }

    /** A replica in a JVM of its own, started as its image starts it, so it can be killed as a process is. */
    private Process startChild(String group, String name) throws Exception {
        Path kubeconfig = kubernetes.writeKubeconfig(work.resolve("kubeconfig"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), "dev.winch.scaler.ScalerMain")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        builder.environment().putAll(env(group, name));
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        builder.environment().put("WINCH_MANAGEMENT_HOST", "127.0.0.1");
        return builder.start();
    }

    private Map<String, String> env(String group, String name) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("WINCH_MANAGEMENT_PORT", "0");
        env.put("WINCH_CONSUMER_GROUP", group);
        env.put("WINCH_INSTANCE_ID", name);
        env.put("WINCH_RETRY_BACKOFF", "50ms");
        env.put("WINCH_SHUTDOWN_TIMEOUT", "0s");
        if (maxBatch != null) {
            env.put(ScalerConfig.MAX_BATCH, String.valueOf(maxBatch));
        }
        if (workerPool != null) {
            env.put("WINCH_WORKER_POOL_SIZE", String.valueOf(workerPool));
        }
        return env;
    }

    /** Waits until the group is stable with {@code members} members, each holding partitions. */
    private void awaitStable(String group, int members) throws Exception {
        try (Admin admin = Admin.create(new HashMap<String, Object>(KafkaSettings.admin(kafka.bootstrapServers())))) {
            boolean stable = ServiceStack.await(() -> {
                try {
                    ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).all()
                            .get(10, TimeUnit.SECONDS).get(group);
                    return described.groupState() == GroupState.STABLE && described.members().size() == members
                            && described.members().stream()
                                    .allMatch(m -> !m.assignment().topicPartitions().isEmpty())
                            && described.members().stream()
                                    .mapToInt(m -> m.assignment().topicPartitions().size()).sum() == partitions;
                } catch (Exception e) {
                    return false;
                }
            }, 120_000);
            if (!stable) {
                throw new IllegalStateException("group " + group + " did not settle with " + members + " members");
            }
        }
    }

    private void startAtEnd(String group) throws Exception {
        try (Admin admin = Admin.create(new HashMap<String, Object>(KafkaSettings.admin(kafka.bootstrapServers())))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(Topics.SERVICE_SCALE, p), OffsetSpec.latest());
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                    .entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue().offset())));
            admin.alterConsumerGroupOffsets(group, offsets).all().get(30, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- load

    private void seed() {
        KubernetesClient client = kubernetes.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
                .build()).create();
        for (int i = 0; i < targets; i++) {
            String name = "app-" + i;
            Map<String, String> labels = Map.of("app", name);
            client.apps().deployments().inNamespace(NAMESPACE).resource(new DeploymentBuilder()
                    .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                    .withNewSpec().withReplicas(500)
                    .withNewSelector().withMatchLabels(labels).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                    .withNewSpec().addNewContainer().withName(name).withImage("bench:1").endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
        }
    }

    /** Up or down by one at random, on a Deployment at random, within 1..1000 (the bounds are never reached). */
    private List<Event<ServiceScaleRequested>> requests(int count) {
        List<Event<ServiceScaleRequested>> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            WorkloadRef target = new WorkloadRef(NAMESPACE, "deployment", "app-" + random.nextInt(targets));
            ScaleAction action = random.nextBoolean() ? ScaleAction.UP : ScaleAction.DOWN;
            requests.add(new Event<>(UUID.randomUUID().toString(), SOURCE, Instant.now(),
                    new ServiceScaleRequested("bench-" + action.name().toLowerCase(Locale.ROOT), target, action, 1, 1,
                            1000, 0)));
        }
        return requests;
    }

    private record Sent(String id, Instant at) {
    }

    private List<Sent> send(List<Event<ServiceScaleRequested>> requests) throws Exception {
        List<Sent> sent = new ArrayList<>(requests.size());
        List<Future<?>> acks = new ArrayList<>(requests.size());
        for (Event<ServiceScaleRequested> request : requests) {
            sent.add(new Sent(request.id(), Instant.now()));
            acks.add(producer.send(codec.toRecord(request)));
        }
        for (Future<?> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
        return sent;
    }

    /** Waits for a result of every request; returns when the last one was read. */
    private Instant drain(List<Sent> sent, ResultsFollower results) throws InterruptedException {
        Map<String, Boolean> waiting = new ConcurrentHashMap<>();
        sent.forEach(s -> waiting.put(s.id(), true));
        boolean all = ServiceStack.await(() -> {
            waiting.keySet().removeIf(id -> !results.of(id).isEmpty());
            return waiting.isEmpty();
        }, RESULT_TIMEOUT_MILLIS);
        if (!all) {
            failed = true;
            notes.add(waiting.size() + " request(s) got no result within " + RESULT_TIMEOUT_MILLIS / 1000 + " s");
        }
        return sent.stream().flatMap(s -> results.of(s.id()).stream().limit(1)).map(ResultsFollower.Seen::seenAt)
                .max(Instant::compareTo).orElse(Instant.now());
    }

    private static double sum(List<ServiceRuntime> runtimes, String counter) {
        double total = 0;
        for (ServiceRuntime runtime : runtimes) {
            total += runtime.registry().find(counter).counters().stream().mapToDouble(Counter::count).sum();
        }
        return total;
    }

    private static long median(List<Long> sorted) {
        return percentile(sorted, 0.5);
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1 < 0 ? 0
                : (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.0f %%", 100 * fraction);
    }
}
