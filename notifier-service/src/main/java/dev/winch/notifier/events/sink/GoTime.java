package dev.winch.notifier.events.sink;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Times as kube-eventer prints them: Go's {@code time.Time.String()} of a time decoded from the API server's JSON
 * (UTC), e.g. {@code 2019-07-17 03:52:30 +0000 UTC}, with the fraction of a second only when there is one
 * ({@code 2019-07-17 03:52:30.123456 +0000 UTC}, trailing zeros dropped). A missing time is Go's zero time,
 * {@code 0001-01-01 00:00:00 +0000 UTC}.
 */
public final class GoTime {

    static final String ZERO = "0001-01-01 00:00:00 +0000 UTC";
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    private GoTime() {
    }

    /** Go's {@code String()} of {@code instant} in UTC; {@link #ZERO} for null. */
    public static String string(Instant instant) {
        if (instant == null) {
            return ZERO;
        }
        LocalDateTime time = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        StringBuilder text = new StringBuilder(SECONDS.format(time));
        int nanos = time.getNano();
        if (nanos != 0) {
            String fraction = String.format("%09d", nanos).replaceAll("0+$", "");
            text.append('.').append(fraction);
        }
        return text.append(" +0000 UTC").toString();
    }

    /** Go's {@code Format("2006-01-02 15:04:05")} in UTC (kube-eventer's DingTalk text); Go's zero time for null. */
    public static String seconds(Instant instant) {
        return instant == null ? "0001-01-01 00:00:00" : SECONDS.format(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    /** An API server timestamp (RFC 3339, {@code Z} or an offset), or null when absent or unreadable. */
    public static Instant parse(Object value) {
        if (!(value instanceof String text) || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
