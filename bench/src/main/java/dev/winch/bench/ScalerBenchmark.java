package dev.winch.bench;

import dev.winch.bench.HookClient.Answer;
import dev.winch.common.event.ActionResult;
import dev.winch.common.kafka.RecordPosition;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.kubernetes.AppliedOffsets;
import dev.winch.scaler.ScalerConfig;
import dev.winch.scaler.ScalerService;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The scaler end to end: how long after the gateway's 202 a scale request reaches Kubernetes, and how a burst for
 * one Deployment folds into few writes that end where one-by-one application ends.
 *
 * <p>One JVM: the embedded KRaft broker, the sandbox Kubernetes API (fabric8 mock server, CRUD mode) with
 * Deployments {@code bench/app-0..app-N} and {@code bench/burst} (1 replica each), the gateway with two
 * {@code scaleService} receivers per Deployment ({@code app-N-up}, {@code app-N-down}: amount 1, min 1, max 1000),
 * and one scaler, each service on its own ServiceRuntime. The write is observed with a watch on the Deployments:
 * the time a Deployment update first carries an event id in {@code winch.dev/applied-events} (which keeps the
 * newest 20), or else first records in {@code winch.dev/applied-offsets} an offset at or beyond the event's record.
 *
 * <ul>
 *   <li><b>Part A</b>: plain POSTs (no body, as Rancher's receivers take them) spread over the Deployments, each
 *       Deployment getting up, down, up, down..., paced at {@code --rate} per second by {@code --clients} threads
 *       (0: as fast as they go); after a warm-up that is not counted.</li>
 *   <li><b>Part B</b>: {@code --burst-events} POSTs for Deployment {@code burst} as fast as {@code --burst-clients}
 *       threads go, up or down at random (a seeded random walk that hits min 1, so order matters); then the writes
 *       are counted and the final replica count is compared with the topic replayed one request at a time.</li>
 * </ul>
 * Progress goes to stderr, the markdown report to stdout. Exit status 3 when a check fails (an event never
 * written, a final count different from the replay).
 */
public final class ScalerBenchmark {

    static final String NAMESPACE = "bench";
    static final String BURST = "burst";
    private static final int MIN = 1;
    private static final int MAX = 1000;
    private static final int START_REPLICAS = 1;
    private static final long DRAIN_TIMEOUT_MILLIS = 300_000;

    static final String USAGE = """
            usage: java -cp bench/target/winch-bench.jar dev.winch.bench.ScalerBenchmark [options]
              --deployments N     Deployments of part A, with an up and a down receiver each (default 50)
              --events N          measured requests of part A (default 1000)
              --warmup-events N   part A requests before the measured ones, same pace, not counted (default 3000)
              --rate R            part A requests per second over all clients; 0 = as fast as they go (default 100)
              --clients N         part A's concurrent HTTP clients, one request in flight each (default 4)
              --burst-events N    part B requests, all for Deployment bench/burst (default 1000)
              --burst-clients N   part B's concurrent HTTP clients (default 8)
              --seed N            part B's up/down sequence (default 1)
              --max-batch N       the scaler's WINCH_SCALER_MAX_BATCH (default empty: the scaler's default)
              --worker-pool N     the scaler's WINCH_WORKER_POOL_SIZE (default empty: the runtime's default)
              --parts LIST        a, b or a,b (default a,b)
              --log MODE          discard | file | off: the services' INFO lines (default discard: formatted,
                                  not written)
            """;

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("deployments", "50");
        DEFAULTS.put("events", "1000");
        DEFAULTS.put("warmup-events", "3000");
        DEFAULTS.put("rate", "100");
        DEFAULTS.put("clients", "4");
        DEFAULTS.put("burst-events", "1000");
        DEFAULTS.put("burst-clients", "8");
        DEFAULTS.put("seed", "1");
        DEFAULTS.put("max-batch", "");
        DEFAULTS.put("worker-pool", "");
        DEFAULTS.put("parts", "a,b");
        DEFAULTS.put("log", "discard");
    }

    private final PrintStream progress = System.err;
    private final Flags flags;
    private final Path work;
    private final int deployments;
    private final int events;
    private final int warmupEvents;
    private final int rate;
    private final int clients;
    private final int burstEvents;
    private final int burstClients;
    private final long seed;
    private final List<String> parts;
    private final String token = "bench-scale-" + Long.toHexString(new Random().nextLong());

    /** Per event id: when a Deployment update carrying it was first seen. */
    private final Map<String, Instant> written = new ConcurrentHashMap<>();
    /** Every Deployment update the watch saw, in order, with the offsets it records. */
    private final List<Update> updates = new CopyOnWriteArrayList<>();
    private String bootstrapServers;
    private final List<String> notes = new ArrayList<>();
    private final CpuMeter cpu = new CpuMeter();
    private final int cpus = Runtime.getRuntime().availableProcessors();
    private boolean failed;

    private ScalerBenchmark(Flags flags, Path work) {
        this.flags = flags;
        this.work = work;
        this.deployments = flags.integer("deployments", 1, 1000);
        this.events = flags.integer("events", 1, 1_000_000);
        this.warmupEvents = flags.integer("warmup-events", 0, 1_000_000);
        this.rate = flags.integer("rate", 0, 1_000_000);
        this.clients = flags.integer("clients", 1, 256);
        this.burstEvents = flags.integer("burst-events", 1, 1_000_000);
        this.burstClients = flags.integer("burst-clients", 1, 256);
        this.seed = flags.integer("seed", 0, Integer.MAX_VALUE);
        this.parts = flags.list("parts");
        if (parts.isEmpty() || !List.of("a", "b").containsAll(parts)) {
            throw new IllegalArgumentException("--parts must list a and/or b, got " + parts);
        }
    }

    public static void main(String[] args) throws Exception {
        ServiceBenchmarkMain.run(args, DEFAULTS, USAGE, "scaler", (flags, work) -> new ScalerBenchmark(flags, work).run());
    }

    private int run() throws Exception {
        Report.Machine machine = Report.Machine.describe();
        progress.println("[bench] " + machine.summary());
        StringBuilder md = new StringBuilder();
        try (ServiceStack stack = ServiceStack.start(progress)) {
            bootstrapServers = stack.bootstrapServers();
            seed(stack.kubernetes());
            int gatewayPort = stack.startGateway(Map.of(
                    "WINCH_RECEIVERS_FILE", receiversFile().toString(),
                    // the default 50/s per receiver would make this a test of the rate limiter
                    "WINCH_RATE_LIMIT_PER_SECOND", "1000000",
                    "WINCH_RATE_LIMIT_BURST", "1000000"));
            Map<String, String> scalerSettings = new HashMap<>(Map.of("WINCH_CONSUMER_GROUP", "bench-scaler",
                    "WINCH_INSTANCE_ID", "bench-scaler"));
            Integer maxBatch = flags.optionalInteger("max-batch", 1, ScalerConfig.MOST_BATCH);
            Integer pool = flags.optionalInteger("worker-pool", 1, 256);
            if (maxBatch != null) {
                scalerSettings.put(ScalerConfig.MAX_BATCH, String.valueOf(maxBatch));
            }
            if (pool != null) {
                scalerSettings.put("WINCH_WORKER_POOL_SIZE", String.valueOf(pool));
            }
            ScalerConfig config = ScalerConfig.fromEnv(stack.workerEnv(scalerSettings));
            ServiceRuntime scalerRuntime = stack.runtime(config.runtime());
            ScalerService scaler = new ScalerService(scalerRuntime, stack.newKubernetesClient(), config);
            scaler.start().await(60, TimeUnit.SECONDS);
            scalerRuntime.markStarted();
            if (!ServiceStack.await(scaler::hasAssignment, 60_000)) {
                throw new IllegalStateException("the scaler got no partition within 60 s");
            }
            progress.printf("[bench] gateway on port %d; scaler started (max batch %d, worker pool %d)%n",
                    gatewayPort, config.maxBatch(), config.runtime().workerPoolSize());

            md.append("## Scaler benchmark, ")
                    .append(OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE))
                    .append("\n\n");
            md.append("- Machine: ").append(machine.summary()).append(" (at the start of the run)\n");
            md.append("- Options: `").append(flags.describe()).append("`\n");
            md.append(String.format(Locale.ROOT, "- Scaler: WINCH_SCALER_MAX_BATCH=%d, WINCH_WORKER_POOL_SIZE=%d, "
                            + "WINCH_CONSUMER_MAX_IN_FLIGHT=%d; %d partitions on winch.service.scale; one replica%n",
                    config.maxBatch(), config.runtime().workerPoolSize(), config.runtime().maxInFlight(),
                    ServiceStack.PARTITIONS));
            md.append("- Write time: when a watch on the Deployments first saw an update whose "
                    + "`winch.dev/applied-events` holds the event id (the newest 20 of a write), or whose "
                    + "`winch.dev/applied-offsets` reaches the offset of the event's record\n\n");

            HookClient http = new HookClient(gatewayPort, token);
            try (ResultsFollower results = new ResultsFollower(stack.bootstrapServers(), progress);
                    DeploymentWatch watch = new DeploymentWatch(stack.newKubernetesClient(), NAMESPACE, Map.of(),
                            this::recordWrite, progress)) {
                Counter writes = counter(scalerRuntime.registry(), "winch_scaler_writes_total");
                Counter conflicts = counter(scalerRuntime.registry(), "winch_scaler_write_conflicts_total");
                if (parts.contains("a")) {
                    partA(http, results, watch, writes, conflicts, md);
                }
                if (parts.contains("b")) {
                    partB(http, results, watch, writes, conflicts, md);
                }
                finalCounts(stack, md);
                if (watch.closedWith() != null) {
                    fail("the Deployment watch closed during the run (" + watch.closedWith() + "): write times "
                            + "are incomplete");
                }
            }
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

    // ---------------------------------------------------------------- part A

    private void partA(HookClient http, ResultsFollower results, DeploymentWatch watch, Counter writes,
            Counter conflicts, StringBuilder md) throws Exception {
        if (warmupEvents > 0) {
            progress.printf("[bench] part A warm-up: %d requests at %s%n", warmupEvents, pace(rate));
            List<Answer> warm = send(http, spread(0, warmupEvents), clients, rate);
            awaitApplied(accepted(warm), results);
            Thread.sleep(1_000);
        }
        double writesBefore = writes.count();
        double conflictsBefore = conflicts.count();
        int modifiedBefore = watch.modifications();
        progress.printf("[bench] part A: %d requests over %d Deployments at %s, %d clients%n", events, deployments,
                pace(rate), clients);
        CpuMeter.Snapshot cpuStart = cpu.snapshot();
        long windowStart = System.nanoTime();
        List<Answer> answers = send(http, spread(warmupEvents, events), clients, rate);
        List<Answer> accepted = accepted(answers);
        long missing = awaitApplied(accepted, results);
        String cpuLine = CpuMeter.between(cpuStart, cpu.snapshot())
                .describe((System.nanoTime() - windowStart) / 1e9, cpus);
        double writeCount = writes.count() - writesBefore;
        int modified = watch.modifications() - modifiedBefore;

        Timings t = timings(accepted, results);
        Instant firstSent = answers.stream().map(Answer::sentAt).min(Comparator.naturalOrder()).orElseThrow();
        Instant lastAnswered = answers.stream().map(Answer::answeredAt).max(Comparator.naturalOrder()).orElseThrow();
        Instant lastWrite = accepted.stream().map(a -> written.get(a.eventId())).filter(w -> w != null)
                .max(Comparator.naturalOrder()).orElse(lastAnswered);
        double sendSeconds = Latencies.between(firstSent, lastAnswered) / 1e9;
        double allSeconds = Latencies.between(firstSent, lastWrite) / 1e9;

        md.append(String.format(Locale.ROOT, "### Part A: %,d scale requests over %d Deployments, %s, %d clients"
                + "%n%n", events, deployments, pace(rate), clients));
        md.append(Latencies.header());
        md.append(t.http().row("request sent → 202 (HTTP round trip)"));
        md.append(t.write().row("**202 → Kubernetes write (watch)**"));
        md.append(t.finished().row("202 → result `finishedAt` (scaler)"));
        md.append(t.resultRead().row("202 → result read from winch.results"));
        md.append('\n');
        md.append(String.format(Locale.ROOT, "| requests | 202 | other answers | not written | sent in s | sent/s "
                + "| first request → last write s | written/s | Kubernetes writes | requests per write "
                + "| conflicts (409) | updates seen by the watch |%n"));
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %.2f | %.0f | %.2f | %.0f | %.0f | %.2f "
                        + "| %.0f | %d |%n%n", answers.size(), accepted.size(), answers.size() - accepted.size(),
                missing, sendSeconds, accepted.size() / sendSeconds, allSeconds, accepted.size() / allSeconds,
                writeCount, accepted.size() / Math.max(1, writeCount), conflicts.count() - conflictsBefore,
                modified));
        md.append("Outcomes (first result per request): ").append(outcomes(accepted, results)).append("\n\n");
        md.append("CPU from the first request until every request was seen written: ").append(cpuLine)
                .append("\n\n");
        check(answers.size() == accepted.size(), "part A: " + (answers.size() - accepted.size())
                + " request(s) not answered 202: " + otherAnswers(answers));
        check(missing == 0, "part A: " + missing + " accepted request(s) never seen written within "
                + DRAIN_TIMEOUT_MILLIS / 1000 + " s");
    }

    /** Request {@code from + i} goes to Deployment {@code i mod N}; each Deployment alternates up, down, up... */
    private List<String> spread(int from, int count) {
        List<String> receivers = new ArrayList<>(count);
        for (int n = from; n < from + count; n++) {
            int deployment = n % deployments;
            boolean up = (n / deployments) % 2 == 0;
            receivers.add("app-" + deployment + (up ? "-up" : "-down"));
        }
        return receivers;
    }

    // ---------------------------------------------------------------- part B

    private void partB(HookClient http, ResultsFollower results, DeploymentWatch watch, Counter writes,
            Counter conflicts, StringBuilder md) throws Exception {
        Random random = new Random(seed);
        List<String> receivers = new ArrayList<>(burstEvents);
        int ups = 0;
        for (int i = 0; i < burstEvents; i++) {
            boolean up = random.nextBoolean();
            ups += up ? 1 : 0;
            receivers.add(up ? BURST + "-up" : BURST + "-down");
        }
        String key = NAMESPACE + "/" + BURST;
        double writesBefore = writes.count();
        double conflictsBefore = conflicts.count();
        int modifiedBefore = watch.modifications(key);
        progress.printf("[bench] part B: %d requests (%d up, %d down) for %s as fast as %d clients go%n",
                burstEvents, ups, burstEvents - ups, key, burstClients);
        CpuMeter.Snapshot cpuStart = cpu.snapshot();
        long windowStart = System.nanoTime();
        List<Answer> answers = send(http, receivers, burstClients, 0);
        List<Answer> accepted = accepted(answers);
        long missing = awaitApplied(accepted, results);
        String cpuLine = CpuMeter.between(cpuStart, cpu.snapshot())
                .describe((System.nanoTime() - windowStart) / 1e9, cpus);
        double writeCount = writes.count() - writesBefore;
        int modified = watch.modifications(key) - modifiedBefore;

        Timings t = timings(accepted, results);
        Instant firstSent = answers.stream().map(Answer::sentAt).min(Comparator.naturalOrder()).orElseThrow();
        Instant lastAnswered = answers.stream().map(Answer::answeredAt).max(Comparator.naturalOrder()).orElseThrow();
        Instant lastWrite = accepted.stream().map(a -> written.get(a.eventId())).filter(w -> w != null)
                .max(Comparator.naturalOrder()).orElse(lastAnswered);
        Instant lastResult = accepted.stream().flatMap(a -> results.of(a.eventId()).stream().limit(1))
                .map(ResultsFollower.Seen::seenAt).max(Comparator.naturalOrder()).orElse(lastAnswered);
        IntSummary folded = foldedCounts(accepted, results);

        md.append(String.format(Locale.ROOT, "### Part B: a burst of %,d requests for one Deployment "
                + "(%d up, %d down, random order, seed %d), %d clients, unpaced%n%n", burstEvents, ups,
                burstEvents - ups, seed, burstClients));
        md.append("| requests | 202 | not written | Kubernetes writes | requests per write | updates seen by the "
                + "watch | conflicts (409) | requests per write: mean / max (results' `foldedCount`) "
                + "| sending s | last 202 → last write s | first request → last write s "
                + "| first request → last result s |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| %d | %d | %d | %.0f | %.1f | %d | %.0f | %.1f / %d | %.2f | %.2f "
                        + "| %.2f | %.2f |%n%n", answers.size(), accepted.size(), missing, writeCount,
                accepted.size() / Math.max(1, writeCount), modified, conflicts.count() - conflictsBefore,
                folded.mean(), folded.max(), Latencies.between(firstSent, lastAnswered) / 1e9,
                Latencies.between(lastAnswered, lastWrite) / 1e9, Latencies.between(firstSent, lastWrite) / 1e9,
                Latencies.between(firstSent, lastResult) / 1e9));
        md.append(Latencies.header());
        md.append(t.http().row("request sent → 202"));
        md.append(t.write().row("202 → Kubernetes write (watch)"));
        md.append(t.finished().row("202 → result `finishedAt`"));
        md.append('\n');
        md.append("Outcomes (first result per request): ").append(outcomes(accepted, results)).append("\n\n");
        WriteCycle cycle = writeCycle(accepted, results);
        md.append(String.format(Locale.ROOT, "Write cycle: every request of the burst is on one partition, handled "
                        + "one batch at a time (read, HPA check, plan, write, publish the batch's results, next "
                        + "batch). Over %d writes: mean %.1f ms from one write to the next; mean %.1f ms from a "
                        + "write to the last of its results read back from winch.results.%n%n", cycle.writes(),
                cycle.betweenWritesMillis(), cycle.writeToLastResultMillis()));
        md.append("CPU from the first request until every request was seen written: ").append(cpuLine)
                .append("\n\n");
        check(answers.size() == accepted.size(), "part B: " + (answers.size() - accepted.size())
                + " request(s) not answered 202: " + otherAnswers(answers));
        check(missing == 0, "part B: " + missing + " accepted request(s) never seen written");
    }

    // ---------------------------------------------------------------- final counts

    /** Every Deployment's replica count against the topic replayed one request at a time. */
    private void finalCounts(ServiceStack stack, StringBuilder md) {
        Map<String, Integer> start = new HashMap<>();
        for (int d = 0; d < deployments; d++) {
            start.put(NAMESPACE + "/deployment/app-" + d, START_REPLICAS);
        }
        start.put(NAMESPACE + "/deployment/" + BURST, START_REPLICAS);
        Map<String, OneByOne.Outcome> expected = OneByOne.replay(stack.bootstrapServers(), start);
        Map<String, Integer> actual = new TreeMap<>();
        for (Deployment d : stack.kubernetes().apps().deployments().inNamespace(NAMESPACE).list().getItems()) {
            actual.put(NAMESPACE + "/deployment/" + d.getMetadata().getName(), d.getSpec().getReplicas());
        }
        md.append("### Final replica counts against one-by-one application (topic order, each request within "
                + "its bounds)\n\n");
        md.append("| Deployments | requests on the topic | final replicas | one-by-one replicas | at a bound (no-op) "
                + "| clamped | duplicates | equal |\n");
        md.append("|---|---:|---|---|---:|---:|---:|---|\n");
        List<String> partA = new ArrayList<>();
        for (int d = 0; d < deployments; d++) {
            partA.add(NAMESPACE + "/deployment/app-" + d);
        }
        row(md, "app-0 … app-" + (deployments - 1), partA, expected, actual);
        row(md, BURST, List.of(NAMESPACE + "/deployment/" + BURST), expected, actual);
        md.append('\n');
    }

    private void row(StringBuilder md, String label, List<String> keys, Map<String, OneByOne.Outcome> expected,
            Map<String, Integer> actual) {
        int requests = 0;
        int atBound = 0;
        int clamped = 0;
        int duplicates = 0;
        int unequal = 0;
        Map<Integer, Integer> finals = new TreeMap<>();
        Map<Integer, Integer> replays = new TreeMap<>();
        for (String key : keys) {
            OneByOne.Outcome outcome = expected.getOrDefault(key, new OneByOne.Outcome(START_REPLICAS, 0, 0, 0, 0, 0));
            requests += outcome.requests();
            atBound += outcome.atBound();
            clamped += outcome.clamped();
            duplicates += outcome.duplicates();
            int now = actual.getOrDefault(key, -1);
            finals.merge(now, 1, Integer::sum);
            replays.merge(outcome.replicas(), 1, Integer::sum);
            if (now != outcome.replicas()) {
                unequal++;
            }
        }
        md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %d | %d | %d | %s |%n", label, requests,
                histogram(finals, keys.size()), histogram(replays, keys.size()), atBound, clamped, duplicates,
                unequal == 0 ? "**yes**" : "**NO: " + unequal + " differ**"));
        check(unequal == 0, label + ": " + unequal + " Deployment(s) end with another count than one-by-one "
                + "application gives");
    }

    private static String histogram(Map<Integer, Integer> counts, int total) {
        if (total == 1) {
            return String.valueOf(counts.keySet().iterator().next());
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((value, n) -> parts.add(n + " × " + value));
        return String.join(", ", parts);
    }

    // ---------------------------------------------------------------- sending and waiting

    /**
     * Posts to each receiver in {@code receivers} once, in order, from {@code clients} threads with one request in
     * flight each; at {@code rate} requests per second over all threads (request i is due at start + i / rate),
     * or as fast as they go when 0.
     */
    private List<Answer> send(HookClient http, List<String> receivers, int clients, int rate) throws Exception {
        Answer[] answers = new Answer[receivers.size()];
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < receivers.size()) {
                        if (rate > 0) {
                            long due = start + (long) (i * 1e9 / rate);
                            for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                                LockSupport.parkNanos(wait);
                            }
                        }
                        answers[i] = http.post(receivers.get(i), null);
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        return List.of(answers);
    }

    private static List<Answer> accepted(List<Answer> answers) {
        return answers.stream().filter(Answer::accepted).toList();
    }

    /** Waits until every accepted request is seen written and has a result; returns how many are not. */
    private long awaitApplied(List<Answer> accepted, ResultsFollower results) throws InterruptedException {
        // A result is published after its write: once all are in, every write has happened.
        ServiceStack.await(() -> accepted.stream().allMatch(a -> !results.of(a.eventId()).isEmpty()),
                DRAIN_TIMEOUT_MILLIS);
        if (accepted.stream().anyMatch(a -> !written.containsKey(a.eventId()))) {
            // Ids beyond the newest 20 of a write: found by their record's offset. The watch may trail the results.
            Map<String, OneByOne.Placed> positions = OneByOne.positions(bootstrapServers);
            ServiceStack.await(() -> {
                accepted.forEach(a -> writtenByOffset(a.eventId(), positions.get(a.eventId())));
                return accepted.stream().allMatch(a -> written.containsKey(a.eventId()));
            }, 10_000);
        }
        return accepted.stream().filter(a -> !written.containsKey(a.eventId())).count();
    }

    /** One update the watch saw: of which Deployment ({@code namespace/deployment/name}, the record key's form). */
    private record Update(String target, Instant at, Map<String, Long> offsets) {
    }

    private void recordWrite(Deployment deployment, Instant at) {
        Map<String, String> annotations = deployment.getMetadata().getAnnotations();
        updates.add(new Update(deployment.getMetadata().getNamespace() + "/deployment/"
                + deployment.getMetadata().getName(), at, AppliedOffsets.read(annotations)));
        for (String id : AppliedEvents.ids(annotations)) {
            written.putIfAbsent(id, at);
        }
    }

    /** The first update of the event's Deployment that records its record's offset, if the watch saw one. */
    private void writtenByOffset(String eventId, OneByOne.Placed placed) {
        if (placed == null || written.containsKey(eventId)) {
            return;
        }
        // Part A and B requests name their Deployment, so the offsets are under topic/partition alone.
        RecordPosition position = placed.position();
        for (Update update : updates) {
            Long offset = update.offsets().get(position.topicPartition());
            if (update.target().equals(placed.key()) && offset != null && offset >= position.offset()) {
                written.put(eventId, update.at());
                return;
            }
        }
    }

    // ---------------------------------------------------------------- figures

    private record Timings(Latencies http, Latencies write, Latencies finished, Latencies resultRead) {
    }

    private Timings timings(List<Answer> accepted, ResultsFollower results) {
        List<Long> http = new ArrayList<>();
        List<Long> write = new ArrayList<>();
        List<Long> finished = new ArrayList<>();
        List<Long> read = new ArrayList<>();
        for (Answer a : accepted) {
            http.add(Latencies.between(a.sentAt(), a.answeredAt()));
            Instant at = written.get(a.eventId());
            if (at != null) {
                write.add(Latencies.between(a.answeredAt(), at));
            }
            List<ResultsFollower.Seen> seen = results.of(a.eventId());
            if (!seen.isEmpty()) {
                finished.add(Latencies.between(a.answeredAt(), seen.get(0).result().finishedAt()));
                read.add(Latencies.between(a.answeredAt(), seen.get(0).seenAt()));
            }
        }
        return new Timings(Latencies.ofNanos(http), Latencies.ofNanos(write), Latencies.ofNanos(finished),
                Latencies.ofNanos(read));
    }

    private static String outcomes(List<Answer> accepted, ResultsFollower results) {
        Map<String, Integer> counts = new TreeMap<>();
        int extra = 0;
        for (Answer a : accepted) {
            List<ResultsFollower.Seen> seen = results.of(a.eventId());
            counts.merge(seen.isEmpty() ? "none" : seen.get(0).result().outcome().name().toLowerCase(Locale.ROOT),
                    1, Integer::sum);
            extra += Math.max(0, seen.size() - 1);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((outcome, n) -> parts.add(outcome + " " + n));
        return String.join(", ", parts) + "; second results for one request: " + extra;
    }

    private record IntSummary(double mean, int max) {
    }

    /** How many requests each write folded, from the results' {@code foldedCount} (one value per write). */
    private static IntSummary foldedCounts(List<Answer> accepted, ResultsFollower results) {
        Map<String, Integer> perWrite = new HashMap<>();
        for (Answer a : accepted) {
            for (ResultsFollower.Seen seen : results.of(a.eventId()).stream().limit(1).toList()) {
                ActionResult r = seen.result();
                String ids = r.details().get("foldedEventIds");
                String count = r.details().get("foldedCount");
                if (ids != null && count != null) {
                    perWrite.put(ids, Integer.parseInt(count));
                }
            }
        }
        return new IntSummary(perWrite.values().stream().mapToInt(Integer::intValue).average().orElse(Double.NaN),
                perWrite.values().stream().mapToInt(Integer::intValue).max().orElse(0));
    }

    private record WriteCycle(int writes, double betweenWritesMillis, double writeToLastResultMillis) {
    }

    /** Writes told apart by their folded ids (results' {@code foldedEventIds}), timed by the watch. */
    private WriteCycle writeCycle(List<Answer> accepted, ResultsFollower results) {
        Map<String, Instant> writeAt = new HashMap<>();
        Map<String, Instant> lastResult = new HashMap<>();
        for (Answer a : accepted) {
            List<ResultsFollower.Seen> seen = results.of(a.eventId());
            Instant at = written.get(a.eventId());
            if (seen.isEmpty() || at == null) {
                continue;
            }
            String write = seen.get(0).result().details().getOrDefault("foldedEventIds", a.eventId());
            writeAt.merge(write, at, (x, y) -> x.isBefore(y) ? x : y);
            lastResult.merge(write, seen.get(0).seenAt(), (x, y) -> x.isAfter(y) ? x : y);
        }
        List<Instant> times = writeAt.values().stream().sorted().toList();
        double between = times.size() < 2 ? Double.NaN
                : Latencies.between(times.get(0), times.get(times.size() - 1)) / 1e6 / (times.size() - 1);
        double toResult = writeAt.keySet().stream()
                .mapToLong(w -> Latencies.between(writeAt.get(w), lastResult.get(w))).average().orElse(Double.NaN)
                / 1e6;
        return new WriteCycle(times.size(), between, toResult);
    }

    private static String otherAnswers(List<Answer> answers) {
        Map<Integer, Integer> byStatus = new TreeMap<>();
        answers.stream().filter(a -> !a.accepted()).forEach(a -> byStatus.merge(a.status(), 1, Integer::sum));
        return byStatus.toString();
    }

    private static String pace(int rate) {
        return rate == 0 ? "unpaced" : rate + " requests/s";
    }

    private static Counter counter(MeterRegistry registry, String name) {
        Counter counter = registry.find(name).counter();
        if (counter == null) {
            throw new IllegalStateException("the scaler has no counter " + name);
        }
        return counter;
    }

    private void check(boolean ok, String failure) {
        if (!ok) {
            fail(failure);
        }
    }

    private void fail(String failure) {
        failed = true;
        notes.add("**FAILED**: " + failure);
        progress.println("[bench] FAILED: " + failure);
    }

    // ---------------------------------------------------------------- setup

    private void seed(KubernetesClient client) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
                .build()).create();
        for (int d = 0; d < deployments; d++) {
            client.apps().deployments().inNamespace(NAMESPACE).resource(deployment("app-" + d)).create();
        }
        client.apps().deployments().inNamespace(NAMESPACE).resource(deployment(BURST)).create();
    }

    private static Deployment deployment(String name) {
        Map<String, String> labels = Map.of("app", name);
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels).endMetadata()
                .withNewSpec()
                    .withReplicas(START_REPLICAS)
                    .withNewSelector().withMatchLabels(labels).endSelector()
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec().addNewContainer().withName(name).withImage("hongxiaolu/iperf3:1.0")
                            .endContainer().endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    /** Two receivers per Deployment: up and down by 1 within [1, 1000], no cooldown. */
    private Path receiversFile() throws Exception {
        StringBuilder yaml = new StringBuilder("receivers:\n");
        List<String> names = new ArrayList<>();
        for (int d = 0; d < deployments; d++) {
            names.add("app-" + d);
        }
        names.add(BURST);
        for (String name : names) {
            for (String action : List.of("up", "down")) {
                yaml.append(String.format(Locale.ROOT, """
                          - id: %1$s-%2$s
                            kind: scaleService
                            token: %3$s
                            scaleService: {namespace: %4$s, workload: deployment/%1$s, action: %2$s, amount: 1, \
                        min: %5$d, max: %6$d}
                        """, name, action, token, NAMESPACE, MIN, MAX));
            }
        }
        Path file = work.resolve("receivers.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
