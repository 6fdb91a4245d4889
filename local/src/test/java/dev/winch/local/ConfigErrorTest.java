package dev.winch.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A service started with a bad configuration exits non-zero with one line that names the variable. */
class ConfigErrorTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev.winch.gateway.GatewayMain", "dev.winch.scaler.ScalerMain",
            "dev.winch.upgrader.UpgraderMain", "dev.winch.host.HostMain", "dev.winch.notifier.NotifierMain"})
    void exitsWithOneLineNamingTheBadVariable(String mainClass) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), mainClass);
        builder.environment().putAll(Map.of(
                "WINCH_MANAGEMENT_PORT", "ninety",
                "KAFKA_BOOTSTRAP_SERVERS", "no-port-here"));
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines().toList();

        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0))
                .startsWith("invalid configuration:")
                .contains("WINCH_MANAGEMENT_PORT must be a whole number, got 'ninety'")
                .contains("KAFKA_BOOTSTRAP_SERVERS must be host:port");
    }
}
