package dev.winch.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMinutes(10), Duration.ofSeconds(1),
            Duration.ofSeconds(30), Duration.ofMinutes(2));

    @Test
    void doublesTheWaitWithJitterBetweenHalfAndWhole() {
        assertThat(policy.nextDelay(1, Duration.ZERO, null, () -> 0.0)).contains(Duration.ofMillis(500));
        assertThat(policy.nextDelay(1, Duration.ZERO, null, () -> 0.999999)).contains(Duration.ofMillis(999));
        assertThat(policy.nextDelay(3, Duration.ZERO, null, () -> 0.0)).contains(Duration.ofSeconds(2));
        assertThat(policy.nextDelay(3, Duration.ZERO, null, () -> 0.5)).contains(Duration.ofSeconds(3));
    }

    @Test
    void neverWaitsLongerThanTheMaximum() {
        RetryPolicy many = new RetryPolicy(100, Duration.ofDays(1), Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofMinutes(2));
        assertThat(many.nextDelay(60, Duration.ZERO, null, () -> 0.999)).get()
                .satisfies(d -> assertThat(d).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30)));
    }

    @Test
    void honoursRetryAfterWhenLongerUpToItsCap() {
        assertThat(policy.nextDelay(1, Duration.ZERO, Duration.ofSeconds(20), () -> 0.0))
                .contains(Duration.ofSeconds(20));
        assertThat(policy.nextDelay(1, Duration.ZERO, Duration.ofMillis(10), () -> 0.0))
                .contains(Duration.ofMillis(500));
        assertThat(policy.nextDelay(1, Duration.ZERO, Duration.ofHours(3), () -> 0.0))
                .contains(Duration.ofMinutes(2));
    }

    @Test
    void givesUpAfterTheLastAttemptOrWhenTimeRunsOut() {
        assertThat(policy.nextDelay(4, Duration.ZERO, null, () -> 0.0)).isPresent();
        assertThat(policy.nextDelay(5, Duration.ZERO, null, () -> 0.0)).isEmpty();
        assertThat(policy.nextDelay(1, Duration.ofMinutes(9).plusSeconds(59).plusMillis(600), null, () -> 0.0))
                .isEmpty();
        assertThat(policy.nextDelay(1, Duration.ofMinutes(9), null, () -> 0.0)).isPresent();
    }
}
