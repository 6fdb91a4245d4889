package dev.winch.common.event;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The CloudEvent {@code time} of an instant as UTF-8 bytes, exactly as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}
 * writes it at UTC ({@code 2026-12-02T10:28:17.79Z}: seconds always, the fraction without trailing zeros and
 * left out when zero, {@code Z} for the offset). The gateway writes one per accepted request, and the JDK's
 * formatter, general as it is, was about a quarter of encoding a record. This writes the digits directly and keeps
 * the date and time of the last second seen; instants outside the years 0000–9999 (where the JDK adds a sign) go
 * to the JDK's formatter. Thread-safe.
 */
final class CloudEventTime {

    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
    private static final long MIN_SECOND = -62_167_219_200L;
    private static final long MAX_SECOND = 253_402_300_799L;
    private static final int PREFIX = "yyyy-MM-ddTHH:mm:ss".length();

    /** The date and time to the second of one epoch second; replaced, never changed. */
    private record Second(long epochSecond, byte[] text) {
    }

    private static volatile Second last = new Second(Long.MIN_VALUE, new byte[0]);

    private CloudEventTime() {
    }

    static byte[] utf8(Instant time) {
        long second = time.getEpochSecond();
        if (second < MIN_SECOND || second > MAX_SECOND) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time.atOffset(ZoneOffset.UTC))
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        Second cached = last;
        if (cached.epochSecond() != second) {
            cached = new Second(second, prefix(second));
            last = cached;
        }
        int nano = time.getNano();
        int digits = 0;
        if (nano != 0) {
            digits = 9;
            int rest = nano;
            while (rest % 10 == 0) {
                rest /= 10;
                digits--;
            }
        }
        byte[] out = new byte[PREFIX + (digits == 0 ? 0 : 1 + digits) + 1];
        System.arraycopy(cached.text(), 0, out, 0, PREFIX);
        int at = PREFIX;
        if (digits > 0) {
            out[at++] = '.';
            int divisor = 100_000_000;
            for (int i = 0; i < digits; i++) {
                out[at++] = (byte) ('0' + nano / divisor % 10);
                divisor /= 10;
            }
        }
        out[at] = 'Z';
        return out;
    }

    private static byte[] prefix(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        byte[] text = new byte[PREFIX];
        digits(text, 0, t.getYear(), 4);
        text[4] = '-';
        digits(text, 5, t.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, t.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, t.getHour(), 2);
        text[13] = ':';
        digits(text, 14, t.getMinute(), 2);
        text[16] = ':';
        digits(text, 17, t.getSecond(), 2);
        return text;
    }

    private static void digits(byte[] into, int at, int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            into[at + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
