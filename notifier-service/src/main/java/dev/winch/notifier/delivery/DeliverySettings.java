package dev.winch.notifier.delivery;

import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;

/**
 * How channels are delivered to.
 *
 * @param retry          when to try again and when to give up
 * @param attemptTimeout how long one attempt may take before it counts as failed (a channel that never answers)
 * @param ratePeriod     the period a channel's {@code messagesPerMinute} is counted over: a minute, except in tests
 * @param maxBatch       results of a partition handled (and at most folded into one digest) at once
 * @param recentIds      delivered result ids remembered per channel, besides the per-partition offset marks
 */
public record DeliverySettings(RetryPolicy retry, Duration attemptTimeout, Duration ratePeriod, int maxBatch,
        int recentIds) {

    public DeliverySettings {
        if (maxBatch < 1 || recentIds < 0) {
            throw new IllegalArgumentException("maxBatch must be positive, recentIds not negative");
        }
    }

    /**
     * The channel's limiter: {@code messagesPerMinute} permits per period, taken without waiting (the worker waits
     * on a Vert.x timer, never on the event loop).
     */
    AtomicRateLimiter rateLimiter(String channel, int messagesPerMinute) {
        int perPeriod = (int) Math.max(1, Math.round(messagesPerMinute * ratePeriod.toMillis() / 60_000.0));
        return new AtomicRateLimiter("notifier-" + channel, RateLimiterConfig.custom()
                .limitForPeriod(perPeriod)
                .limitRefreshPeriod(ratePeriod)
                .timeoutDuration(Duration.ZERO)
                .build());
    }

    /** How a digest names the period its results came in. */
    String window() {
        if (ratePeriod.equals(Duration.ofMinutes(1))) {
            return "the last minute";
        }
        return ratePeriod.toSeconds() >= 120 ? "the last " + ratePeriod.toMinutes() + " minutes"
                : "the last " + Math.max(1, ratePeriod.toSeconds()) + " seconds";
    }
}
