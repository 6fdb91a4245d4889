package dev.winch.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The cheapest profile there is: CPU time and allocated bytes per thread of this JVM (broker, servers) between the
 * start and the end of a measurement window, grouped by thread name; JIT compilation and GC time, which show
 * whether the warm-up was long enough; and the machine's busy and steal time from /proc/stat. CPU spent by GC and
 * JIT threads is not visible per thread; it is the process total minus the threads.
 */
final class CpuMeter {

    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** CPU used during a window. */
    record Usage(long processNanos, Map<String, Long> byThreadGroup, Map<String, Long> allocatedByThreadGroup,
            long jitMillis, long gcMillis, double machineBusy, double machineSteal) {

        /** Thread groups and "GC, JIT, other", most expensive first. */
        Map<String, Long> groups() {
            Map<String, Long> all = new HashMap<>(byThreadGroup);
            long threads = byThreadGroup.values().stream().mapToLong(Long::longValue).sum();
            all.put("(GC, JIT and other JVM threads)", Math.max(0, processNanos - threads));
            Map<String, Long> sorted = new LinkedHashMap<>();
            all.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> sorted.put(e.getKey(), e.getValue()));
            return sorted;
        }

        /**
         * One line for a report over a window of {@code seconds}: this JVM's CPU (broker, services, clients), the
         * CPU busy outside it (other processes: the noise of a shared machine), steal, JIT and GC time.
         */
        String describe(double seconds, int cpus) {
            double process = processNanos / 1e9 / seconds;
            return String.format(java.util.Locale.ROOT, "benchmark JVM %.2f cores, outside it %.2f cores, steal "
                    + "%.0f %%, JIT %d ms, GC %d ms (over %.1f s)", process, Math.max(0, machineBusy * cpus - process),
                    machineSteal * 100, jitMillis, gcMillis, seconds);
        }

        Usage plus(Usage other) {
            Map<String, Long> merged = new HashMap<>(byThreadGroup);
            other.byThreadGroup.forEach((k, v) -> merged.merge(k, v, Long::sum));
            Map<String, Long> allocated = new HashMap<>(allocatedByThreadGroup);
            other.allocatedByThreadGroup.forEach((k, v) -> allocated.merge(k, v, Long::sum));
            return new Usage(processNanos + other.processNanos, merged, allocated, jitMillis + other.jitMillis,
                    gcMillis + other.gcMillis, Double.NaN, Double.NaN);
        }
    }

    /** A reading at one instant. */
    record Snapshot(long processNanos, Map<Long, String> names, Map<Long, Long> threadNanos,
            Map<Long, Long> threadAllocated, long jitMillis, long gcMillis, long[] procStat) {
    }

    CpuMeter() {
        if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        if (THREADS.isThreadAllocatedMemorySupported() && !THREADS.isThreadAllocatedMemoryEnabled()) {
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
    }

    Snapshot snapshot() {
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> nanos = new HashMap<>();
        Map<Long, Long> allocated = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long cpu = THREADS.getThreadCpuTime(id);
            var info = THREADS.getThreadInfo(id);
            if (cpu >= 0 && info != null) {
                names.put(id, info.getThreadName());
                nanos.put(id, cpu);
                allocated.put(id, Math.max(0, THREADS.getThreadAllocatedBytes(id)));
            }
        }
        long gc = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(bean -> Math.max(0, bean.getCollectionTime())).sum();
        var compiler = ManagementFactory.getCompilationMXBean();
        long jit = compiler != null && compiler.isCompilationTimeMonitoringSupported()
                ? compiler.getTotalCompilationTime() : -1;
        return new Snapshot(processCpuNanos(), names, nanos, allocated, jit, gc, procStat());
    }

    static Usage between(Snapshot start, Snapshot end) {
        Map<String, Long> groups = new HashMap<>();
        Map<String, Long> allocated = new HashMap<>();
        end.threadNanos().forEach((id, cpu) -> {
            String group = DIGITS.matcher(end.names().get(id)).replaceAll("#");
            long used = cpu - start.threadNanos().getOrDefault(id, 0L);
            if (used > 0) {
                groups.merge(group, used, Long::sum);
            }
            long bytes = end.threadAllocated().get(id) - start.threadAllocated().getOrDefault(id, 0L);
            if (bytes > 0) {
                allocated.merge(group, bytes, Long::sum);
            }
        });
        double busy = busyFraction(start.procStat(), end.procStat());
        double steal = Double.NaN;
        if (!Double.isNaN(busy)) {
            long total = 0;
            for (int i = 0; i < end.procStat().length; i++) {
                total += end.procStat()[i] - start.procStat()[i];
            }
            steal = total > 0 ? (double) (end.procStat()[7] - start.procStat()[7]) / total : Double.NaN;
        }
        return new Usage(end.processNanos() - start.processNanos(), groups, allocated,
                end.jitMillis() - start.jitMillis(), end.gcMillis() - start.gcMillis(), busy, steal);
    }

    /**
     * Waits until the whole machine is quiet (busy below {@code quietCores} over one second) or {@code maxSeconds}
     * have passed, so a phase does not start while the previous one's servers, children or collectors still run.
     * Returns the busy cores of the last second measured (NaN where /proc/stat cannot be read).
     */
    static double settle(double quietCores, int maxSeconds, int cpus) throws InterruptedException {
        double busy = Double.NaN;
        long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
        do {
            long[] start = procStat();
            Thread.sleep(1_000);
            double fraction = busyFraction(start, procStat());
            if (Double.isNaN(fraction)) {
                return Double.NaN;
            }
            busy = fraction * cpus;
        } while (busy >= quietCores && System.nanoTime() < deadline);
        return busy;
    }

    /** The machine's busy share between two readings of /proc/stat; NaN where they cannot be compared. */
    private static double busyFraction(long[] start, long[] end) {
        if (start.length < 8 || end.length < 8) {
            return Double.NaN;
        }
        long total = 0;
        for (int i = 0; i < end.length; i++) {
            total += end[i] - start[i];
        }
        // user nice system idle iowait irq softirq steal ...
        long idle = end[3] - start[3] + end[4] - start[4];
        return total > 0 ? (double) (total - idle) / total : Double.NaN;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The aggregate "cpu" line of /proc/stat, or nothing where there is none. */
    private static long[] procStat() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] fields = line.trim().split("\\s+");
            // guest and guest_nice are already counted in user and nice.
            int count = Math.min(fields.length - 1, 8);
            long[] values = new long[count];
            for (int i = 0; i < count; i++) {
                values[i] = Long.parseLong(fields[i + 1]);
            }
            return values;
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }
}
