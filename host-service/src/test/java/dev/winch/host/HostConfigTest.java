package dev.winch.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostConfigTest {

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void hasDefaults() {
        HostConfig config = HostConfig.fromEnv(env("HOSTNAME", "host-7d9"));

        assertThat(config.namespace()).isEqualTo("winch");
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.drainRetryInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.drainConcurrency()).isEqualTo(3);
        assertThat(config.execCommand()).isEmpty();
        assertThat(config.execTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.joinTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.instanceId()).isEqualTo("host-7d9");
    }

    @Test
    void readsTheExecCommandAsAListNeverSplittingItsArguments() {
        HostConfig config = HostConfig.fromEnv(env("WINCH_HOST_EXEC_COMMAND",
                "[\"/opt/winch/hosts.sh\", \"--tag\", \"a b; rm -rf /\"]"));

        assertThat(config.execCommand()).contains(List.of("/opt/winch/hosts.sh", "--tag", "a b; rm -rf /"));
    }

    @Test
    void namesEveryBadVariable() {
        assertThatThrownBy(() -> HostConfig.fromEnv(env(
                "WINCH_HOST_EXEC_COMMAND", "/opt/winch/hosts.sh --region eu",
                "WINCH_HOST_DRAIN_CONCURRENCY", "0",
                "WINCH_HOST_DRAIN_TIMEOUT", "soon",
                "WINCH_HOST_NAMESPACE", "Winch_System")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_HOST_EXEC_COMMAND must be a JSON array of strings")
                .hasMessageContaining("WINCH_HOST_DRAIN_CONCURRENCY must be between 1 and 50")
                .hasMessageContaining("WINCH_HOST_DRAIN_TIMEOUT must be a duration")
                .hasMessageContaining("WINCH_HOST_NAMESPACE must be a namespace name");
        assertThatThrownBy(() -> HostConfig.fromEnv(env("WINCH_HOST_EXEC_COMMAND", "[]")))
                .hasMessageContaining("WINCH_HOST_EXEC_COMMAND");
        assertThatThrownBy(() -> HostConfig.fromEnv(env("WINCH_HOST_EXEC_COMMAND", "[\"/bin/x\", 3]")))
                .hasMessageContaining("element 1 is 3");
    }
}
