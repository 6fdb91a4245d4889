package dev.winch.scaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScalerConfigTest {

    @Test
    void defaultsToBatchesOfTenNamedAfterThePod() {
        ScalerConfig config = ScalerConfig.fromEnv(Map.of("HOSTNAME", "scaler-7d9f-x2k"));

        assertThat(config.maxBatch()).isEqualTo(10);
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
    void refusesABatchLargerThanTheRecordOfAppliedIds() {
        assertThatThrownBy(() -> ScalerConfig.fromEnv(Map.of("WINCH_SCALER_MAX_BATCH", "50")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_SCALER_MAX_BATCH must be between 1 and 20, got 50");
    }
}
