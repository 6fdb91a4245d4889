package dev.winch.scaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScalerConfigTest {

    @Test
    void defaultsToBatchesOfTwoHundredNamedAfterThePod() {
        ScalerConfig config = ScalerConfig.fromEnv(Map.of("HOSTNAME", "scaler-7d9f-x2k"));

        assertThat(config.maxBatch()).isEqualTo(200);
        assertThat(config.runtime().maxInFlight()).isEqualTo(400);
        assertThat(config.instanceId()).isEqualTo("scaler-7d9f-x2k");
        assertThat(config.runtime().consumerGroup()).isEqualTo("winch-scaler");
    }

    @Test
    void prefersAnExplicitInstanceIdAndMakesOneUpWithoutAny() {
        assertThat(ScalerConfig.fromEnv(Map.of("HOSTNAME", "h", "WINCH_INSTANCE_ID", "a")).instanceId())
                .isEqualTo("a");
        assertThat(ScalerConfig.fromEnv(Map.of()).instanceId()).startsWith("scaler-");
    }

    @Test
    void holdsTwoBatchesUnlessTheRecordsInFlightAreSet() {
        assertThat(ScalerConfig.fromEnv(Map.of("WINCH_SCALER_MAX_BATCH", "300")).runtime().maxInFlight())
                .isEqualTo(600);
        assertThat(ScalerConfig.fromEnv(Map.of("WINCH_SCALER_MAX_BATCH", "5")).runtime().maxInFlight())
                .isEqualTo(64);
        ScalerConfig set = ScalerConfig.fromEnv(Map.of("WINCH_SCALER_MAX_BATCH", "300",
                "WINCH_CONSUMER_MAX_IN_FLIGHT", "300"));
        assertThat(set.maxBatch()).isEqualTo(300);
        assertThat(set.runtime().maxInFlight()).isEqualTo(300);
    }

    @Test
    void refusesABatchWhoseResultsWouldGrowTooLarge() {
        assertThatThrownBy(() -> ScalerConfig.fromEnv(Map.of("WINCH_SCALER_MAX_BATCH", "501")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_SCALER_MAX_BATCH must be between 1 and 500, got 501");
        assertThatThrownBy(() -> ScalerConfig.fromEnv(Map.of("WINCH_SCALER_MAX_BATCH", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_SCALER_MAX_BATCH must be between 1 and 500, got 0");
    }

    @Test
    void refusesABatchLargerThanTheRecordsTheConsumerHolds() {
        assertThatThrownBy(() -> ScalerConfig.fromEnv(Map.of("WINCH_CONSUMER_MAX_IN_FLIGHT", "64")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_SCALER_MAX_BATCH (200) must not be above WINCH_CONSUMER_MAX_IN_FLIGHT "
                        + "(64): a batch is taken from the records the consumer holds");
    }
}
