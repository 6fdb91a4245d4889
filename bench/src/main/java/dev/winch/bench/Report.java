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

    /** Targets of the gateway issue, each to be met in every round. */
    static final double MIN_RATIO = 0.85;
    static final double MAX_CPU_RATIO = 1.15;
    static final double MAX_P99_MILLIS = 10.0;
    static final double MIN_WEBHOOK_RATIO = 4.0;
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
    private final String skipped;
    private final long gatewayLogBytes;

    /**
     * @param skipped         why a server was left out (adnanh/webhook not installed), or null
     * @param gatewayLogBytes what the gateway process wrote to its stdout file over the run; -1 when not measured
     */
    Report(BenchOptions options, Machine machine, List<Phase> phases, String skipped, long gatewayLogBytes) {
        this.options = options;
        this.machine = machine;
        this.phases = List.copyOf(phases);
        this.skipped = skipped;
        this.gatewayLogBytes = gatewayLogBytes;
    }

    boolean anyLost() {
        return phases.stream().anyMatch(p -> p.lost() > 0 || (p.readBack() != null && p.readBack().missing() > 0));
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## Gateway benchmark, ")
                .append(OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE)).append("\n\n");
        md.append("- Machine: ").append(machine.summary()).append(" (at the start of the run)\n");
        if (options.serverWarmupSeconds() > 0) {
            md.append(String.format(Locale.ROOT, "- Each server process loaded for %d s before round 1, not measured: "
                    + "rounds compare warm servers (the ramp from start is `--from-start`'s)%n",
                    options.serverWarmupSeconds()));
        }
        if (options.rate() > 0) {
            md.append(String.format(Locale.ROOT, "- Paced: %,d requests/s offered to every server (a request leaves when "
                    + "the schedule allows and a connection is free), so CPU per request compares at one load%n",
                    options.rate()));
        }
        md.append(String.format(Locale.ROOT, "- Load: %d connections, one request in flight each, %d B Docker Hub "
                        + "payloads, %d s warm-up (discarded) + %d s measured per phase, %d round(s) of %s, "
                        + "load generator in its own JVM with %d event loop(s)%n", options.connections(),
                options.bodyBytes(), options.warmupSeconds(), options.durationSeconds(), options.rounds(),
                String.join(" → ", options.servers().stream().map(Server::label).toList()),
                options.clientThreads()));
        md.append("- Servers: ").append(options.deploy() == BenchOptions.Deploy.PROCESS
                ? "each its own process (the gateway as `java " + String.join(" ", options.serverJvmOptions())
                        + " -jar gateway.jar`, as docker-compose starts it; the bare server a JVM with the same options)"
                : "gateway and bare server in the benchmark JVM, beside the broker").append('\n');
        md.append("- HTTP server instances (event loops), gateway and bare server alike: ").append(options.instances())
                .append('\n');
        md.append("- Key spreads: ").append(String.join("; ", options.keySpreads().stream()
                .map(BenchOptions.KeySpread::description).toList())).append('\n');
        md.append("- Gateway log lines: ").append(options.gatewayLog().name().toLowerCase(Locale.ROOT));
        if (options.gatewayLog() == BenchOptions.GatewayLog.STDOUT) {
            md.append(" (its stdout redirected to a file, as deployed");
            if (gatewayLogBytes >= 0) {
                md.append(String.format(Locale.ROOT, "; %,d bytes written over the run", gatewayLogBytes));
            }
            md.append(')');
        }
        md.append('\n');
        if (skipped != null) {
            md.append("- **Skipped**: ").append(skipped).append('\n');
        } else if (options.servers().contains(Server.WEBHOOK)) {
            md.append("- adnanh/webhook: ").append(options.webhookBinary())
                    .append(", one hook whose rule matches the token in the URL and the pushed namespace in the "
                            + "body and runs /bin/true (its CPU includes that of /bin/true)\n");
        }
        md.append("- Bare server's producer: ").append(options.bareProducer() == BenchOptions.BareProducer.WINCH
                ? "winch (the gateway's EventPublisher)" : "vertx (vertx-kafka-client, a worker thread per send)")
                .append("\n\n");

        md.append("| round | keys | server | accepted req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms "
                + "| non-2xx | errors | server µs/req | benchmark JVM µs/req | client µs/req | JIT ms | GC ms "
                + "| other load (cores) | steal | records / produce request |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            md.append(String.format(Locale.ROOT,
                    "| %d | %s | %s | %,.0f | %.2f | %.2f | %.2f | %.2f | %.1f | %d | %d | %.0f | %.0f | %.0f | %d | %d "
                            + "| %s | %s | %s |%n",
                    p.round(), p.spread().label(), p.server().label(), p.acceptedPerSecond(), p.latencyMillis("0.5"),
                    p.latencyMillis("0.9"), p.latencyMillis("0.99"), p.latencyMillis("0.999"),
                    p.latencyMillis("1.0"), p.windowNon2xx(), p.windowErrors(), p.serverCpuMicrosPerRequest(),
                    p.benchJvmMicrosPerRequest(), p.clientCpuMicrosPerRequest(), p.cpu().jitMillis(),
                    p.cpu().gcMillis(), cores(p.otherCores(machine.cpus())), percent(p.cpu().machineSteal()),
                    Double.isNaN(p.recordsPerProduceRequest()) ? "–"
                            : String.format(Locale.ROOT, "%.1f", p.recordsPerProduceRequest())));
        }
        md.append("\nKeys: `connection` = one repository per connection, `one` = every push for one repository. "
                + "Latency: 2xx answers completed in the window, from writing the request to reading the whole "
                + "answer. Server µs/req: CPU of the server's own process per accepted request (user + system, "
                + "and for adnanh/webhook the /bin/true it ran), or with `--deploy jvm` of the whole benchmark JVM; "
                + "benchmark JVM: the broker (and the servers with `--deploy jvm`); client: the load generator's "
                + "JVM; JIT, GC: of the benchmark JVM in the window; other load: cores busy outside the benchmark "
                + "JVM, the server process and the client (other processes, interrupts), the noise of a shared "
                + "machine; records / produce request: of the server's producer in the window, where it is in the "
                + "benchmark JVM (linger.ms=0, so the fewer, the more the broker spends per record).\n\n");
        for (BenchOptions.KeySpread spread : options.keySpreads()) {
            comparison(md, spread);
        }
        audit(md);
        serverThreads(md);
        cpu(md);
        return md.toString();
    }

    private void comparison(StringBuilder md, BenchOptions.KeySpread spread) {
        List<Phase> bare = of(Server.BARE, spread);
        List<Phase> gateway = of(Server.GATEWAY, spread);
        List<Phase> webhook = of(Server.WEBHOOK, spread);
        if (gateway.isEmpty() || (bare.isEmpty() && webhook.isEmpty())) {
            return;
        }
        md.append("### The gateway against the limit (bare server) and adnanh/webhook, ").append(spread.description())
                .append(", same run\n\n");
        md.append("| round | bare req/s | gateway req/s | webhook req/s | gateway / bare | gateway / webhook "
                + "| bare µs/req | gateway µs/req | gateway / bare CPU | bare p99 ms | gateway p99 ms | webhook p99 ms |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        boolean ratioMet = true;
        boolean cpuMet = true;
        boolean p99Met = true;
        boolean webhookMet = true;
        double worstRatio = Double.POSITIVE_INFINITY;
        double worstCpu = 0;
        double worstP99 = 0;
        double worstWebhook = Double.POSITIVE_INFINITY;
        for (int i = 0; i < gateway.size(); i++) {
            Phase g = gateway.get(i);
            Phase b = i < bare.size() ? bare.get(i) : null;
            Phase w = i < webhook.size() ? webhook.get(i) : null;
            double ratio = b == null ? Double.NaN : g.acceptedPerSecond() / b.acceptedPerSecond();
            double cpu = b == null ? Double.NaN : g.serverCpuMicrosPerRequest() / b.serverCpuMicrosPerRequest();
            double overWebhook = w == null ? Double.NaN : g.acceptedPerSecond() / w.acceptedPerSecond();
            if (b != null) {
                ratioMet &= ratio >= MIN_RATIO;
                cpuMet &= cpu <= MAX_CPU_RATIO;
                worstRatio = Math.min(worstRatio, ratio);
                worstCpu = Math.max(worstCpu, cpu);
            }
            if (w != null) {
                webhookMet &= overWebhook >= MIN_WEBHOOK_RATIO;
                worstWebhook = Math.min(worstWebhook, overWebhook);
            }
            p99Met &= g.latencyMillis("0.99") < MAX_P99_MILLIS;
            worstP99 = Math.max(worstP99, g.latencyMillis("0.99"));
            md.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %s | %s | %s | %s | %.0f | %s | %s | %.2f | %s |%n",
                    g.round(), b == null ? "–" : String.format(Locale.ROOT, "%,.0f", b.acceptedPerSecond()),
                    g.acceptedPerSecond(),
                    w == null ? "–" : String.format(Locale.ROOT, "%,.0f", w.acceptedPerSecond()),
                    number(ratio), number(overWebhook),
                    b == null ? "–" : String.format(Locale.ROOT, "%.0f", b.serverCpuMicrosPerRequest()),
                    g.serverCpuMicrosPerRequest(), number(cpu),
                    b == null ? "–" : String.format(Locale.ROOT, "%.2f", b.latencyMillis("0.99")),
                    g.latencyMillis("0.99"),
                    w == null ? "–" : String.format(Locale.ROOT, "%.2f", w.latencyMillis("0.99"))));
        }
        if (!bare.isEmpty()) {
            md.append(String.format(Locale.ROOT, "| all | %,.0f | %,.0f | %s | **%.2f** | %s | | | | | | |%n",
                    rate(bare), rate(gateway), webhook.isEmpty() ? "–" : String.format(Locale.ROOT, "%,.0f",
                            rate(webhook)), rate(gateway) / rate(bare),
                    webhook.isEmpty() ? "–" : String.format(Locale.ROOT, "**%.2f**", rate(gateway) / rate(webhook))));
        }
        md.append('\n');
        if (!bare.isEmpty()) {
            md.append(String.format(Locale.ROOT, "- Throughput: gateway / bare ≥ %.2f in every round (worst %.2f): "
                    + "**%s**%n", MIN_RATIO, worstRatio, ratioMet ? "met" : "missed"));
            md.append(String.format(Locale.ROOT, "- CPU per accepted request: gateway / bare ≤ %.2f in every round "
                    + "(worst %.2f): **%s**%s%n", MAX_CPU_RATIO, worstCpu, cpuMet ? "met" : "missed",
                    options.deploy() == BenchOptions.Deploy.JVM
                            ? " (with `--deploy jvm` both include the broker: use `--deploy process`)" : ""));
        }
        md.append(String.format(Locale.ROOT, "- Latency: gateway p99 < %.0f ms in every round (worst %.2f ms): **%s**%n",
                MAX_P99_MILLIS, worstP99, p99Met ? "met" : "missed"));
        if (!webhook.isEmpty()) {
            md.append(String.format(Locale.ROOT, "- Against adnanh/webhook: gateway / webhook ≥ %.1f in every round "
                    + "(worst %.2f): **%s**%n", MIN_WEBHOOK_RATIO, worstWebhook, webhookMet ? "met" : "missed"));
        } else if (skipped != null) {
            md.append("- Against adnanh/webhook: skipped, ").append(skipped).append('\n');
        }
        md.append('\n');
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f", value);
    }

    private void audit(StringBuilder md) {
        md.append("### Acknowledged and stored (whole phase: warm-up, window and the last answers)\n\n");
        md.append("| round | keys | server | 2xx answers | records stored | 2xx − stored | 2xx ids read back "
                + "| missing | duplicates | stored, not answered 2xx |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            if (p.stored() < 0) {
                continue;
            }
            TopicAudit.ReadBack r = p.readBack();
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %d | %d | %d | %s | %s | %s | %s |%n", p.round(),
                    p.spread().label(), p.server().label(), p.total2xx(), p.stored(), p.lost(),
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

    /** With servers in their own processes: CPU per accepted request by thread group of each, over all rounds. */
    private void serverThreads(StringBuilder md) {
        Map<Server, Map<String, Long>> groups = new LinkedHashMap<>();
        Map<Server, Long> totals = new LinkedHashMap<>();
        Map<Server, Long> requests = new LinkedHashMap<>();
        for (Server server : options.servers()) {
            List<Phase> mine = of(server).stream().filter(p -> p.serverCpu() != null).toList();
            if (mine.isEmpty()) {
                continue;
            }
            Map<String, Long> merged = new LinkedHashMap<>();
            mine.forEach(p -> p.serverCpu().byThreadGroup().forEach((k, v) -> merged.merge(k, v, Long::sum)));
            groups.put(server, merged);
            totals.put(server, mine.stream().mapToLong(p -> p.serverCpu().nanos()).sum());
            requests.put(server, mine.stream().mapToLong(Phase::window2xx).sum());
        }
        if (groups.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>();
        groups.values().forEach(g -> g.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(CPU_GROUPS).forEach(e -> {
                    if (!names.contains(e.getKey())) {
                        names.add(e.getKey());
                    }
                }));
        md.append("### Where each server process's CPU went (per accepted request, measurement windows, all rounds "
                + "and key spreads; thread names as the kernel keeps them, 15 characters)\n\n| thread group |");
        groups.keySet().forEach(s -> md.append(' ').append(s.label()).append(" µs |"));
        md.append("\n|---|");
        groups.keySet().forEach(s -> md.append("---:|"));
        md.append('\n');
        for (String name : names) {
            md.append("| `").append(name.replace("|", "\\|")).append("` |");
            groups.forEach((server, g) -> md.append(String.format(Locale.ROOT, " %.1f |",
                    g.getOrDefault(name, 0L) / 1e3 / Math.max(1, requests.get(server)))));
            md.append('\n');
        }
        md.append("| **whole process** |");
        totals.forEach((server, t) -> md.append(String.format(Locale.ROOT, " **%.1f** |",
                t / 1e3 / Math.max(1, requests.get(server)))));
        md.append("\n\n");
    }

    private List<Phase> of(Server server) {
        return phases.stream().filter(p -> p.server() == server).toList();
    }

    private List<Phase> of(Server server, BenchOptions.KeySpread spread) {
        return phases.stream().filter(p -> p.server() == server && p.spread() == spread).toList();
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
