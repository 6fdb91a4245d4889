package dev.winch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU time of another process (a server under load) from {@code /proc/<pid>/stat}: user and system time, plus
 * the time of the children it waited for (adnanh/webhook's {@code /bin/true}), and per thread from
 * {@code /proc/<pid>/task}, grouped by thread name. Clock ticks of 10 ms: exact enough over a window of seconds.
 */
final class ProcessCpu {

    private static final Pattern DIGITS = Pattern.compile("\\d+");
    /** USER_HZ: 100 on every Linux architecture the JDK runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /** A reading at one instant; empty where /proc cannot be read. */
    record Snapshot(long ticks, Map<Long, String> threadNames, Map<Long, Long> threadTicks) {
    }

    /** CPU of the process during a window, and how it splits over its thread groups (most expensive first). */
    record Usage(long nanos, Map<String, Long> byThreadGroup) {
    }

    private ProcessCpu() {
    }

    static Snapshot snapshot(long pid) {
        Path proc = Path.of("/proc", String.valueOf(pid));
        long[] own = times(proc.resolve("stat"));
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    long tid = Long.parseLong(task.getFileName().toString());
                    names.put(tid, stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
                    long[] t = fields(stat);
                    ticks.put(tid, t[0] + t[1]);
                } catch (IOException | RuntimeException e) {
                    // The thread ended meanwhile: its time is in the process's total.
                }
            });
        } catch (IOException e) {
            // No /proc: only the process total, if even that.
        }
        return new Snapshot(own[0] + own[1] + own[2] + own[3], names, ticks);
    }

    static Usage between(Snapshot start, Snapshot end) {
        Map<String, Long> groups = new HashMap<>();
        end.threadTicks().forEach((tid, ticks) -> {
            long used = ticks - start.threadTicks().getOrDefault(tid, 0L);
            if (used > 0) {
                groups.merge(DIGITS.matcher(end.threadNames().get(tid)).replaceAll("#"), used * NANOS_PER_TICK,
                        Long::sum);
            }
        });
        Map<String, Long> sorted = new LinkedHashMap<>();
        groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return new Usage((end.ticks() - start.ticks()) * NANOS_PER_TICK, sorted);
    }

    /** utime, stime, cutime, cstime of a stat file; zeros where it cannot be read. */
    private static long[] times(Path stat) {
        try {
            return fields(Files.readString(stat));
        } catch (IOException | RuntimeException e) {
            return new long[4];
        }
    }

    private static long[] fields(String stat) {
        // The name in parentheses may contain spaces; the fields after it start with the state (field 3).
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
            Long.parseLong(f[14])};
    }
}
