package dev.winch.notifier.channel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2015-10-21T07:26:00Z");

    @Test
    void readsSecondsAndHttpDates() {
        assertThat(RetryAfter.parse("120", NOW)).isEqualTo(Duration.ofMinutes(2));
        assertThat(RetryAfter.parse(" 0 ", NOW)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void aDateInThePastMeansNowAndNonsenseMeansNothing() {
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("-5", NOW)).isNull();
        assertThat(RetryAfter.parse("soon", NOW)).isNull();
        assertThat(RetryAfter.parse(null, NOW)).isNull();
    }

    @Test
    void theRedactorHidesTheUrlItsPartsAndTheSecrets() {
        Redactor redactor = Redactor.of(URI.create("https://hooks.example.com/services/T0/B0/tok?key=k1"),
                List.of("sign-secret"));
        assertThat(redactor.redact("POST https://hooks.example.com/services/T0/B0/tok?key=k1 failed"))
                .isEqualTo("POST ****** failed");
        assertThat(redactor.redact("path /services/T0/B0/tok, query key=k1, secret sign-secret"))
                .isEqualTo("path ******, query ******, secret ******");
    }
}
