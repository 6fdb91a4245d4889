package dev.winch.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The CloudEvent time the gateway writes must be the JDK's ISO_OFFSET_DATE_TIME at UTC, byte for byte. */
class CloudEventTimeTest {

    private static String jdk(Instant time) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time.atOffset(ZoneOffset.UTC));
    }

    private static String ours(Instant time) {
        return new String(CloudEventTime.utf8(time), StandardCharsets.UTF_8);
    }

    @Property(tries = 20_000)
    void writesWhatTheJdkWritesForAnyInstantOfTheYears0To9999(
            @ForAll @LongRange(min = -62_167_219_200L, max = 253_402_300_799L) long second,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nano) {
        Instant time = Instant.ofEpochSecond(second, nano);
        assertThat(ours(time)).isEqualTo(jdk(time));
    }

    /** Clocks tick in milliseconds or microseconds: fractions with trailing zeros, and none at all. */
    @Property(tries = 20_000)
    void writesWhatTheJdkWritesForMillisecondAndMicrosecondTimes(
            @ForAll @LongRange(min = 1_500_000_000L, max = 2_500_000_000L) long second,
            @ForAll @IntRange(min = 0, max = 999_999) int micros, @ForAll boolean millisOnly) {
        Instant time = Instant.ofEpochSecond(second, millisOnly ? (micros / 1000) * 1_000_000L : micros * 1000L);
        assertThat(ours(time)).isEqualTo(jdk(time));
    }

    /** Many instants within one second share the cached date and time; the next second must not reuse it. */
    @Property(tries = 5_000)
    void writesConsecutiveInstantsAcrossSecondBoundaries(
            @ForAll @LongRange(min = 1_700_000_000L, max = 1_700_000_100L) long second,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nano) {
        Instant time = Instant.ofEpochSecond(second, nano);
        assertThat(ours(time)).isEqualTo(jdk(time));
        assertThat(ours(time.plusSeconds(1))).isEqualTo(jdk(time.plusSeconds(1)));
    }

    /** Years −999,999,999 to 999,999,999: what an OffsetDateTime holds. */
    @Property(tries = 2_000)
    void fallsBackToTheJdkOutsideFourDigitYears(
            @ForAll @LongRange(min = -31_557_014_135_596_800L, max = 31_556_889_832_780_799L) long second,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nano) {
        Instant time = Instant.ofEpochSecond(second, nano);
        assertThat(ours(time)).isEqualTo(jdk(time));
    }

    @Example
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
    @Example
    void refusesWhatTheJdkRefuses() {
        for (Instant time : new Instant[] {Instant.MIN, Instant.MAX}) {
            assertThatThrownBy(() -> jdk(time)).isInstanceOf(DateTimeException.class);
            assertThatThrownBy(() -> ours(time)).isInstanceOf(DateTimeException.class);
        }
    }
}
