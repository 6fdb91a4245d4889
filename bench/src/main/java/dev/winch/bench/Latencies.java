package dev.winch.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * A set of measured intervals, kept whole and sorted, so percentiles are exact (nearest rank) rather than
 * estimated from buckets. Sample counts here are small (hundreds to thousands).
 */
final class Latencies {

    private final long[] sortedNanos;

    private Latencies(long[] nanos) {
        this.sortedNanos = nanos.clone();
        Arrays.sort(this.sortedNanos);
    }

    static Latencies ofNanos(Collection<Long> nanos) {
        return new Latencies(nanos.stream().mapToLong(Long::longValue).toArray());
    }

    static long between(Instant from, Instant to) {
        return Duration.between(from, to).toNanos();
    }

    int count() {
        return sortedNanos.length;
    }

    /** The nearest-rank percentile {@code q} (0 &lt; q ≤ 1), in milliseconds; NaN when empty. */
    double millis(double q) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
    }

    double minMillis() {
        return sortedNanos.length == 0 ? Double.NaN : sortedNanos[0] / 1e6;
    }

    double maxMillis() {
        return millis(1.0);
    }

    double meanMillis() {
        return Arrays.stream(sortedNanos).average().orElse(Double.NaN) / 1e6;
    }

    /** A markdown table row: count, min, p50, p90, p99, max, mean. */
    String row(String label) {
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s |%n", label, count(),
                ms(minMillis()), ms(millis(0.5)), ms(millis(0.9)), ms(millis(0.99)), ms(maxMillis()),
                ms(meanMillis()));
    }

    static String header() {
        return "| interval | n | min ms | p50 ms | p90 ms | p99 ms | max ms | mean ms |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    }

    static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "–";
        }
        return String.format(Locale.ROOT, millis >= 100 ? "%.0f" : millis >= 10 ? "%.1f" : "%.2f", millis);
    }
}
