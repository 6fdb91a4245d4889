package dev.winch.bench;

import dev.winch.bench.BenchOptions.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The markdown report of one run: figures per phase, the gateway against the limit, the audit, the CPU split. */
final class Report {

    /** Targets of the gateway issue. */
    static final double MIN_RATIO = 0.75;
    static final double MAX_P99_MILLIS = 10.0;
    private static final int CPU_GROUPS = 12;

    /** The machine the run was on. */
    record Machine(int cpus, String cpuModel, String jdk, String os, String loadAverage) {

        static Machine describe() {
            String model = read("/proc/cpuinfo").flatMap(text -> text.lines()
                            .filter(l -> l.startsWith("model name")).findFirst())
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
            String load = read("/proc/loadavg").map(text -> String.join(" ",
                    List.of(text.trim().split("\\s+")).subList(0, 3))).orElse("unknown");
            return new Machine(Runtime.getRuntime().availableProcessors(), model,
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                    System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                            + System.getProperty("os.arch"), load);
        }

        String summary() {
            return cpus + " CPU(s) (" + cpuModel + "), " + jdk + ", " + os + ", load average " + loadAverage;
        }

        private static Optional<String> read(String file) {
            try {
                return Optional.of(Files.readString(Path.of(file)));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private final BenchOptions options;
    private final Machine machine;
    private final List<Phase> phases;

    Report(BenchOptions options, Machine machine, List<Phase> phases) {
        this.options = options;
        this.machine = machine;
        this.phases = List.copyOf(phases);
    }

    boolean anyLost() {
        return phases.stream().anyMatch(p -> p.lost() > 0 || (p.readBack() != null && p.readBack().missing() > 0));
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## Gateway benchmark, ")
                .append(OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE)).append("\n\n");
        md.append("- Machine: ").append(machine.summary()).append(" (at the start of the run)\n");
        md.append(String.format(Locale.ROOT, "- Load: %d connections, one request in flight each, %d B Docker Hub "
                        + "payloads, %d s warm-up (discarded) + %d s measured per phase, %d round(s) of %s, "
                        + "load generator in its own JVM with %d event loop(s)%n", options.connections(),
                options.bodyBytes(), options.warmupSeconds(), options.durationSeconds(), options.rounds(),
                String.join(" → ", options.servers().stream().map(Server::label).toList()),
                options.clientThreads()));
        md.append("- Gateway log lines: ").append(options.gatewayLog().name().toLowerCase(Locale.ROOT)).append('\n');
        md.append("- Bare server's producer: ").append(options.bareProducer() == BenchOptions.BareProducer.WINCH
                ? "winch (the gateway's EventPublisher)" : "vertx (vertx-kafka-client, a worker thread per send)")
                .append("\n\n");

        md.append("| round | server | accepted req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms "
                + "| non-2xx | errors | server JVM µs/req | client µs/req | JIT ms | GC ms | other load (cores) | steal "
                + "| records / produce request |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            md.append(String.format(Locale.ROOT,
                    "| %d | %s | %,.0f | %.2f | %.2f | %.2f | %.2f | %.1f | %d | %d | %.0f | %.0f | %d | %d | %s | %s "
                            + "| %.1f |%n",
                    p.round(), p.server().label(), p.acceptedPerSecond(), p.latencyMillis("0.5"),
                    p.latencyMillis("0.9"), p.latencyMillis("0.99"), p.latencyMillis("0.999"),
                    p.latencyMillis("1.0"), p.windowNon2xx(), p.windowErrors(), p.serverCpuMicrosPerRequest(),
                    p.clientCpuMicrosPerRequest(), p.cpu().jitMillis(), p.cpu().gcMillis(),
                    cores(p.otherCores(machine.cpus())),
                    percent(p.cpu().machineSteal()), p.recordsPerProduceRequest()));
        }
        md.append("\nLatency: 2xx answers completed in the window, from writing the request to reading the whole answer. "
                + "Server JVM: CPU of the benchmark JVM (broker and both servers, the idle one included) per "
                + "accepted request; client: the load generator's JVM; JIT, GC: compilation and collection time "
                + "of the benchmark JVM in the window (JIT still busy means the warm-up was too short); other "
                + "load: cores busy outside both JVMs (other processes, interrupts), the noise of a shared "
                + "machine; records / produce request: of the server's producer in the window (linger.ms=0, so "
                + "the fewer, the more the broker spends per record).\n\n");
        comparison(md);
        audit(md);
        cpu(md);
        return md.toString();
    }

    private void comparison(StringBuilder md) {
        List<Phase> bare = of(Server.BARE);
        List<Phase> gateway = of(Server.GATEWAY);
        if (bare.isEmpty() || gateway.isEmpty()) {
            return;
        }
        md.append("### Gateway against the limit (bare server), same run\n\n");
        md.append("| round | bare req/s | gateway req/s | gateway / bare | bare p99 ms | gateway p99 ms |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        int rounds = Math.min(bare.size(), gateway.size());
        for (int i = 0; i < rounds; i++) {
            Phase b = bare.get(i);
            Phase g = gateway.get(i);
            md.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %.2f | %.2f | %.2f |%n", g.round(),
                    b.acceptedPerSecond(), g.acceptedPerSecond(), g.acceptedPerSecond() / b.acceptedPerSecond(),
                    b.latencyMillis("0.99"), g.latencyMillis("0.99")));
        }
        double bareRate = rate(bare);
        double gatewayRate = rate(gateway);
        double ratio = gatewayRate / bareRate;
        double worstP99 = gateway.stream().mapToDouble(p -> p.latencyMillis("0.99")).max().orElse(Double.NaN);
        md.append(String.format(Locale.ROOT, "| all | %,.0f | %,.0f | **%.2f** | | |%n", bareRate, gatewayRate,
                ratio));
        if (rounds > 1) {
            double later = rate(gateway.subList(1, gateway.size())) / rate(bare.subList(1, bare.size()));
            md.append(String.format(Locale.ROOT, "| 2–%d | %,.0f | %,.0f | %.2f | | |%n", rounds,
                    rate(bare.subList(1, bare.size())), rate(gateway.subList(1, gateway.size())), later));
        }
        md.append('\n');
        md.append(String.format(Locale.ROOT, "- Throughput: gateway / bare = %.2f (target ≥ %.2f): **%s**%n", ratio,
                MIN_RATIO, ratio >= MIN_RATIO ? "met" : "missed"));
        md.append(String.format(Locale.ROOT, "- Latency: worst gateway p99 = %.2f ms (target < %.0f ms): **%s**%n%n",
                worstP99, MAX_P99_MILLIS, worstP99 < MAX_P99_MILLIS ? "met" : "missed"));
    }

    private void audit(StringBuilder md) {
        md.append("### Acknowledged and stored (whole phase: warm-up, window and the last answers)\n\n");
        md.append("| round | server | 2xx answers | records stored | 2xx − stored | 2xx ids read back "
                + "| missing | duplicates | stored, not answered 2xx |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            TopicAudit.ReadBack r = p.readBack();
            md.append(String.format(Locale.ROOT, "| %d | %s | %d | %d | %d | %s | %s | %s | %s |%n", p.round(),
                    p.server().label(), p.total2xx(), p.stored(), p.lost(),
                    r == null ? "–" : String.valueOf(r.answered() - r.missing()),
                    r == null ? "–" : String.valueOf(r.missing()), r == null ? "–" : String.valueOf(r.duplicates()),
                    r == null ? "–" : String.valueOf(r.unanswered())));
        }
        md.append(String.format(Locale.ROOT, "%n- Acknowledged but lost: **%s**%n%n",
                anyLost() ? "YES, see the table" : "none"));
    }

    /**
     * CPU and allocation per accepted request by thread group of the benchmark JVM (broker and servers), over all
     * rounds: where a server's cost goes, next to the limit's.
     */
    private void cpu(StringBuilder md) {
        Map<Server, CpuMeter.Usage> usage = new LinkedHashMap<>();
        Map<Server, Long> requests = new LinkedHashMap<>();
        for (Server server : options.servers()) {
            List<Phase> mine = of(server);
            if (!mine.isEmpty()) {
                usage.put(server, mine.stream().map(Phase::cpu).reduce(CpuMeter.Usage::plus).orElseThrow());
                requests.put(server, mine.stream().mapToLong(Phase::window2xx).sum());
            }
        }
        List<String> names = new ArrayList<>();
        usage.values().forEach(u -> u.groups().entrySet().stream().limit(CPU_GROUPS).forEach(e -> {
            if (!names.contains(e.getKey())) {
                names.add(e.getKey());
            }
        }));
        md.append("### Where the benchmark JVM's CPU went (broker and servers; per accepted request, "
                + "measurement windows only)\n\n");
        md.append("| thread group |");
        usage.keySet().forEach(s -> md.append(' ').append(s.label()).append(" µs |"));
        usage.keySet().forEach(s -> md.append(' ').append(s.label()).append(" KB allocated |"));
        md.append("\n|---|");
        usage.keySet().forEach(s -> md.append("---:|---:|"));
        md.append('\n');
        for (String name : names) {
            md.append("| `").append(name.replace("|", "\\|")).append("` |");
            usage.forEach((server, u) -> md.append(String.format(Locale.ROOT, " %.1f |",
                    u.groups().getOrDefault(name, 0L) / 1e3 / Math.max(1, requests.get(server)))));
            usage.forEach((server, u) -> md.append(u.allocatedByThreadGroup().containsKey(name)
                    ? String.format(Locale.ROOT, " %.1f |",
                            u.allocatedByThreadGroup().get(name) / 1024.0 / Math.max(1, requests.get(server)))
                    : " – |"));
            md.append('\n');
        }
        md.append("| **whole JVM** |");
        usage.forEach((server, u) -> md.append(String.format(Locale.ROOT, " **%.1f** |",
                u.processNanos() / 1e3 / Math.max(1, requests.get(server)))));
        usage.forEach((server, u) -> md.append(String.format(Locale.ROOT, " **%.1f** |",
                u.allocatedByThreadGroup().values().stream().mapToLong(Long::longValue).sum() / 1024.0
                        / Math.max(1, requests.get(server)))));
        md.append("\n\n");
    }

    private List<Phase> of(Server server) {
        return phases.stream().filter(p -> p.server() == server).toList();
    }

    private static double rate(List<Phase> phases) {
        return phases.stream().mapToLong(Phase::window2xx).sum()
                / phases.stream().mapToDouble(Phase::windowSeconds).sum();
    }

    private static String cores(double cores) {
        return Double.isNaN(cores) ? "–" : String.format(Locale.ROOT, "%.2f", Math.max(0, cores));
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.0f %%", fraction * 100);
    }
}
