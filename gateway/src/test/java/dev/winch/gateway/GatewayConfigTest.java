package dev.winch.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    private static GatewayConfig config(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return GatewayConfig.fromEnv(env);
    }

    @Test
    void byDefaultOneHttpServerInstancePerAvailableProcessorAndNoWarmUp() {
        GatewayConfig config = config();

        assertThat(config.instances()).isEqualTo(Math.min(64, Runtime.getRuntime().availableProcessors()));
        assertThat(config.warmupRequests()).isZero();
    }

    @Test
    void instancesAndWarmUpAreTakenAsGiven() {
        GatewayConfig config = config("WINCH_GATEWAY_INSTANCES", "64", "WINCH_GATEWAY_WARMUP", "5000");

        assertThat(config.instances()).isEqualTo(64);
        assertThat(config.warmupRequests()).isEqualTo(5000);
        assertThat(config("WINCH_GATEWAY_INSTANCES", "1").instances()).isEqualTo(1);
    }

    @Test
    void instancesOutside1To64OrNotANumberStopTheStartNamingTheVariable() {
        for (String bad : new String[] {"0", "65", "-2", "two", "1.5"}) {
            assertThatThrownBy(() -> config("WINCH_GATEWAY_INSTANCES", bad)).as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("WINCH_GATEWAY_INSTANCES");
        }
        assertThatThrownBy(() -> config("WINCH_GATEWAY_INSTANCES", "65"))
                .hasMessageContaining("WINCH_GATEWAY_INSTANCES must be between 1 and 64, got 65");
    }

    @Test
    void aNegativeOrNonNumericWarmUpStopsTheStart() {
        assertThatThrownBy(() -> config("WINCH_GATEWAY_WARMUP", "-1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_GATEWAY_WARMUP must be between 0 and 1000000");
        assertThatThrownBy(() -> config("WINCH_GATEWAY_WARMUP", "lots")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_GATEWAY_WARMUP");
    }
}
