package dev.winch.upgrader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpgraderConfigTest {

    @Test
    void defaultsFollowRolloutsForTenMinutesPollingEveryFiveSeconds() {
        UpgraderConfig config = UpgraderConfig.fromEnv(Map.of());

        assertThat(config.rolloutTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.rolloutPollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.maxTrackedRollouts()).isEqualTo(1000);
        assertThat(config.runtime().serviceName()).isEqualTo("upgrader");
    }

    @Test
    void readsItsOwnVariables() {
        UpgraderConfig config = UpgraderConfig.fromEnv(Map.of("WINCH_UPGRADER_ROLLOUT_TIMEOUT", "90s",
                "WINCH_UPGRADER_ROLLOUT_POLL_INTERVAL", "250ms", "WINCH_UPGRADER_MAX_TRACKED_ROLLOUTS", "5"));

        assertThat(config.rolloutTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.rolloutPollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.maxTrackedRollouts()).isEqualTo(5);
    }

    @Test
    void namesEveryBadVariable() {
        assertThatThrownBy(() -> UpgraderConfig.fromEnv(Map.of("WINCH_UPGRADER_ROLLOUT_TIMEOUT", "soon",
                "WINCH_UPGRADER_ROLLOUT_POLL_INTERVAL", "1ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_UPGRADER_ROLLOUT_TIMEOUT")
                .hasMessageContaining("WINCH_UPGRADER_ROLLOUT_POLL_INTERVAL");
    }
}
