package dev.winch.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesConfigTest {

    @Test
    void usesTenSecondsForEachTimeoutByDefault() {
        assertThat(read(Map.of())).isEqualTo(new KubernetesConfig(Duration.ofSeconds(10), Duration.ofSeconds(10)));
    }

    @Test
    void readsBothTimeouts() {
        assertThat(read(Map.of("WINCH_KUBERNETES_CONNECT_TIMEOUT", "2s", "WINCH_KUBERNETES_REQUEST_TIMEOUT", "PT15S")))
                .isEqualTo(new KubernetesConfig(Duration.ofSeconds(2), Duration.ofSeconds(15)));
    }

    @Test
    void rejectsTimeoutsThatDoNotFitInTheBlockingTimeout() {
        assertThatThrownBy(() -> read(Map.of("WINCH_BLOCKING_TIMEOUT", "20s",
                "WINCH_KUBERNETES_REQUEST_TIMEOUT", "15s")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("WINCH_KUBERNETES_CONNECT_TIMEOUT + WINCH_KUBERNETES_REQUEST_TIMEOUT (25000ms) must not "
                        + "exceed WINCH_BLOCKING_TIMEOUT (20000ms): a Kubernetes call must time out before the worker "
                        + "pool gives up on it");
    }

    @Test
    void rejectsTimeoutsThatAreNotDurationsOrOutOfRange() {
        assertThatThrownBy(() -> read(Map.of("WINCH_KUBERNETES_CONNECT_TIMEOUT", "soon",
                "WINCH_KUBERNETES_REQUEST_TIMEOUT", "10ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_KUBERNETES_CONNECT_TIMEOUT must be a duration like 500ms, 30s, 5m or "
                        + "PT30S, got 'soon'")
                .hasMessageContaining("WINCH_KUBERNETES_REQUEST_TIMEOUT must be at least 100ms, got '10ms'");
        assertThatThrownBy(() -> read(Map.of("WINCH_BLOCKING_TIMEOUT", "5h",
                "WINCH_KUBERNETES_REQUEST_TIMEOUT", "2h")))
                .hasMessageContaining("WINCH_KUBERNETES_REQUEST_TIMEOUT must be at most 1h, got 7200s");
    }

    private static KubernetesConfig read(Map<String, String> variables) {
        Env env = new Env(variables);
        KubernetesConfig config = KubernetesConfig.fromEnv(env, RuntimeConfig.fromEnv("scaler", env));
        env.validate();
        return config;
    }
}
