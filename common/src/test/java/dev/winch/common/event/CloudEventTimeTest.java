package dev.winch.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The CloudEvent time the gateway writes must be the JDK's ISO_OFFSET_DATE_TIME at UTC, byte for byte: checked on
 * generated instants (a fixed seed, so a failure names an instant that fails again) and on the limits.
 */
class CloudEventTimeTest {

    private final SplittableRandom random = new SplittableRandom(20261202L);

    private long between(long min, long max) {
        return random.nextLong(min, max + 1);
    }

    private int nano() {
        return random.nextInt(1_000_000_000);
    }

    private static String jdk(Instant time) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time.atOffset(ZoneOffset.UTC));
    }

    private static String ours(Instant time) {
        return new String(CloudEventTime.utf8(time), StandardCharsets.UTF_8);
    }

    @Test
    void writesWhatTheJdkWritesForAnyInstantOfTheYears0To9999() {
        for (int i = 0; i < 20_000; i++) {
            Instant time = Instant.ofEpochSecond(between(-62_167_219_200L, 253_402_300_799L), nano());
            assertThat(ours(time)).as(time.toString()).isEqualTo(jdk(time));
        }
    }

    /** Clocks tick in milliseconds or microseconds: fractions with trailing zeros, and none at all. */
    @Test
    void writesWhatTheJdkWritesForMillisecondAndMicrosecondTimes() {
        for (int i = 0; i < 20_000; i++) {
            int micros = random.nextInt(1_000_000);
            long nanos = random.nextBoolean() ? (micros / 1000) * 1_000_000L : micros * 1000L;
            Instant time = Instant.ofEpochSecond(between(1_500_000_000L, 2_500_000_000L), nanos);
            assertThat(ours(time)).as(time.toString()).isEqualTo(jdk(time));
        }
    }

    /** Many instants within one second share the cached date and time; the next second must not reuse it. */
    @Test
    void writesConsecutiveInstantsAcrossSecondBoundaries() {
        for (int i = 0; i < 5_000; i++) {
            Instant time = Instant.ofEpochSecond(between(1_700_000_000L, 1_700_000_100L), nano());
            assertThat(ours(time)).as(time.toString()).isEqualTo(jdk(time));
            Instant next = time.plusSeconds(1);
            assertThat(ours(next)).as(next.toString()).isEqualTo(jdk(next));
        }
    }

    /** Years −999,999,999 to 999,999,999: what an OffsetDateTime holds. */
    @Test
    void fallsBackToTheJdkOutsideFourDigitYears() {
        for (int i = 0; i < 2_000; i++) {
            Instant time = Instant.ofEpochSecond(between(-31_557_014_135_596_800L, 31_556_889_832_780_799L), nano());
            assertThat(ours(time)).as(time.toString()).isEqualTo(jdk(time));
        }
    }

    @Test
    void writesTheLimitsAndTheRoundValuesAsTheJdkDoes() {
        for (Instant time : new Instant[] {Instant.EPOCH,
            LocalDateTime.MIN.toInstant(ZoneOffset.UTC), LocalDateTime.MAX.toInstant(ZoneOffset.UTC),
            Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
            Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59Z"),
            Instant.parse("2026-12-02T10:28:17.790Z"), Instant.parse("2024-02-29T23:59:59.000001Z"),
            Instant.parse("2026-12-02T10:00:00Z")}) {
            assertThat(ours(time)).as(time.toString()).isEqualTo(jdk(time));
        }
        assertThat(ours(Instant.parse("2026-12-02T10:28:17.790Z"))).isEqualTo("2026-12-02T10:28:17.79Z");
    }

    /** Beyond what an OffsetDateTime holds the JDK cannot write a time at all, and neither can this. */
    @Test
    void refusesWhatTheJdkRefuses() {
        for (Instant time : new Instant[] {Instant.MIN, Instant.MAX}) {
            assertThatThrownBy(() -> jdk(time)).isInstanceOf(DateTimeException.class);
            assertThatThrownBy(() -> ours(time)).isInstanceOf(DateTimeException.class);
        }
    }
}
