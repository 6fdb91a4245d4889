package dev.winch.gateway.receiver;

import dev.winch.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));

    private static int acquired(TokenBucket bucket, int attempts) {
        int taken = 0;
        for (int i = 0; i < attempts; i++) {
            if (bucket.tryAcquire()) {
                taken++;
            }
        }
        return taken;
    }

    @Test
    void allowsABurstAtOnceAndNothingMore() {
        TokenBucket bucket = new TokenBucket(1, 5, clock);

        assertThat(acquired(bucket, 8)).isEqualTo(5);
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void refillsAtTheSustainedRate() {
        TokenBucket bucket = new TokenBucket(2, 4, clock);
        acquired(bucket, 4);

        clock.advance(Duration.ofMillis(499));
        assertThat(bucket.tryAcquire()).as("not yet half a second").isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();

        clock.advance(Duration.ofSeconds(1));
        assertThat(acquired(bucket, 5)).isEqualTo(2);
    }

    @Test
    void neverSavesUpMoreThanTheBurst() {
        TokenBucket bucket = new TokenBucket(10, 3, clock);
        acquired(bucket, 3);

        clock.advance(Duration.ofHours(1));

        assertThat(acquired(bucket, 10)).isEqualTo(3);
    }

    @Test
    void saysHowManySecondsUntilTheNextRequestFits() {
        TokenBucket slow = new TokenBucket(0.25, 1, clock);
        assertThat(slow.tryAcquire()).isTrue();
        assertThat(slow.tryAcquire()).isFalse();

        assertThat(slow.secondsUntilNext()).isEqualTo(4);

        clock.advance(Duration.ofSeconds(4));
        assertThat(slow.tryAcquire()).isTrue();
    }

    @Test
    void retryAfterIsAtLeastOneSecond() {
        TokenBucket fast = new TokenBucket(100, 1, clock);
        fast.tryAcquire();
        fast.tryAcquire();

        assertThat(fast.secondsUntilNext()).isEqualTo(1);
    }

    @Test
    void aClockThatStepsBackDoesNotDrainTheBucket() {
        TokenBucket bucket = new TokenBucket(1, 5, clock);
        assertThat(bucket.tryAcquire()).isTrue();

        // e.g. NTP correcting the wall clock by an hour
        clock.advance(Duration.ofHours(-1));

        assertThat(acquired(bucket, 5)).isEqualTo(4);
    }
}
