package dev.winch.notifier.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to try a notification again: exponential backoff with full jitter (a random wait between half and the whole
 * of {@code initial * 2^(attempt-1)}, capped at {@code max}), or what the remote end asked for with
 * {@code Retry-After} when that is longer (capped at {@code maxRetryAfter}, so a remote end cannot park a channel
 * for a day). It gives up after {@code maxAttempts} tries or when the next try would start after
 * {@code maxElapsed}. No I/O, no clock: the caller says how long it has been.
 */
public record RetryPolicy(int maxAttempts, Duration maxElapsed, Duration initial, Duration max,
        Duration maxRetryAfter) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (initial.toMillis() < 1 || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("the backoff must be at least 1 ms and not above its maximum");
        }
    }

    /**
     * The wait before attempt {@code attempt + 1}, or empty to give up.
     *
     * @param attempt    the attempt that just failed, from 1
     * @param elapsed    since the first attempt started
     * @param retryAfter what the remote end asked for, or null
     * @param random     a number in [0, 1)
     */
    public Optional<Duration> nextDelay(int attempt, Duration elapsed, Duration retryAfter, DoubleSupplier random) {
        if (attempt >= maxAttempts) {
            return Optional.empty();
        }
        long ceiling = initial.toMillis() << Math.min(attempt - 1, 30);
        if (ceiling <= 0 || ceiling > max.toMillis()) {
            ceiling = max.toMillis();
        }
        long jittered = ceiling / 2 + (long) (random.getAsDouble() * (ceiling - ceiling / 2));
        Duration delay = Duration.ofMillis(Math.max(1, jittered));
        if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
        }
        if (elapsed.plus(delay).compareTo(maxElapsed) > 0) {
            return Optional.empty();
        }
        return Optional.of(delay);
    }
}
