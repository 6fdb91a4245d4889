package dev.winch.gateway.receiver;

import java.time.Clock;

/** A token bucket: {@code burst} requests at once, refilled at {@code perSecond}. Thread-safe. */
public final class TokenBucket {

    private final double perSecond;
    private final int burst;
    private final Clock clock;
    private double tokens;
    private long lastNanos;

    public TokenBucket(double perSecond, int burst, Clock clock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.clock = clock;
        this.tokens = burst;
        this.lastNanos = nanos();
    }

    /** Takes one token if there is one. */
    public synchronized boolean tryAcquire() {
        long now = nanos();
        // The clock is the wall clock: when it steps back (NTP), refill nothing rather than drain the bucket.
        long elapsed = Math.max(0, now - lastNanos);
        tokens = Math.min(burst, tokens + elapsed / 1e9 * perSecond);
        lastNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Seconds until a token is available, at least 1 (for Retry-After). */
    public synchronized long secondsUntilNext() {
        return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
    }

    private long nanos() {
        // The injected clock makes refills testable without sleeping.
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
