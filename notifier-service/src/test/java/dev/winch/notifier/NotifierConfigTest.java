package dev.winch.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotifierConfigTest {

    @Test
    void hasDefaultsThatFitChatAndMailApis() {
        NotifierConfig config = NotifierConfig.fromEnv(Map.of());

        assertThat(config.channelsFile()).isEmpty();
        assertThat(config.publicUrl()).isEmpty();
        assertThat(config.delivery().retry().maxAttempts()).isEqualTo(8);
        assertThat(config.delivery().retry().maxElapsed()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.delivery().attemptTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.delivery().ratePeriod()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.delivery().maxBatch()).isEqualTo(100);
    }

    @Test
    void readsEveryVariable() {
        NotifierConfig config = NotifierConfig.fromEnv(Map.of(
                "WINCH_PUBLIC_URL", "https://winch.example.com/",
                "WINCH_NOTIFIER_RETRY_MAX_ATTEMPTS", "3",
                "WINCH_NOTIFIER_RETRY_MAX_ELAPSED", "2m",
                "WINCH_NOTIFIER_RETRY_BACKOFF", "200ms",
                "WINCH_NOTIFIER_RETRY_BACKOFF_MAX", "10s",
                "WINCH_NOTIFIER_RETRY_AFTER_MAX", "1m",
                "WINCH_NOTIFIER_ATTEMPT_TIMEOUT", "5s",
                "WINCH_NOTIFIER_DIGEST_MAX", "20"));

        assertThat(config.publicUrl()).contains("https://winch.example.com");
        assertThat(config.delivery().retry().maxAttempts()).isEqualTo(3);
        assertThat(config.delivery().retry().maxElapsed()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.delivery().retry().initial()).isEqualTo(Duration.ofMillis(200));
        assertThat(config.delivery().retry().max()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.delivery().retry().maxRetryAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.delivery().attemptTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.delivery().maxBatch()).isEqualTo(20);
    }

    @Test
    void namesEveryBadVariable() {
        assertThatThrownBy(() -> NotifierConfig.fromEnv(Map.of(
                "WINCH_NOTIFIER_CHANNELS_FILE", "/no/such/channels.yaml",
                "WINCH_NOTIFIER_RETRY_MAX_ATTEMPTS", "0",
                "WINCH_NOTIFIER_RETRY_BACKOFF", "5s",
                "WINCH_NOTIFIER_RETRY_BACKOFF_MAX", "1s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_NOTIFIER_CHANNELS_FILE must name a readable file")
                .hasMessageContaining("WINCH_NOTIFIER_RETRY_MAX_ATTEMPTS must be between 1 and 100")
                .hasMessageContaining("WINCH_NOTIFIER_RETRY_BACKOFF_MAX must not be less than");
    }
}
