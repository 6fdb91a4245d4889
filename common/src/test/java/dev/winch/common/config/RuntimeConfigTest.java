package dev.winch.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.RuntimeConfig.LogFormat;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {

    /** The shape of a service config: the runtime settings plus the service's own, some secret. */
    private record HookConfig(RuntimeConfig runtime, Secret hookToken) implements ServiceConfig {

        static HookConfig fromEnv(Map<String, String> variables) {
            Env env = new Env(variables);
            RuntimeConfig runtime = RuntimeConfig.fromEnv("gateway", env);
            Secret token = env.secret("WINCH_HOOK_TOKEN").orElse(null);
            if (token == null) {
                env.problem("WINCH_HOOK_TOKEN is required");
            }
            env.validate();
            return new HookConfig(runtime, token);
        }
    }

    @Test
    void usesDefaultsWhenNothingIsSet() {
        Env env = new Env(Map.of());

        RuntimeConfig config = RuntimeConfig.fromEnv("scaler", env);

        assertThatCode(env::validate).doesNotThrowAnyException();
        assertThat(config).isEqualTo(new RuntimeConfig("scaler", "localhost:9092", 9090, "0.0.0.0", LogFormat.PLAIN, 8,
                Duration.ofSeconds(30), "winch-scaler", 64, 5, Duration.ofMillis(500), Duration.ofSeconds(30),
                Duration.ofSeconds(20), true));
    }

    @Test
    void aServiceMayLeaveVertxHttpServerMetersOffByDefault() {
        assertThat(RuntimeConfig.fromEnv("gateway", new Env(Map.of()), false).httpServerMetrics()).isFalse();
        assertThat(RuntimeConfig.fromEnv("gateway", new Env(Map.of("WINCH_HTTP_SERVER_METRICS", "true")), false)
                .httpServerMetrics()).isTrue();
    }

    @Test
    void readsEveryVariable() {
        Env env = new Env(Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", "kafka-0.kafka:9092,kafka-1.kafka:9092"),
                Map.entry("WINCH_MANAGEMENT_PORT", "0"),
                Map.entry("WINCH_MANAGEMENT_HOST", "127.0.0.1"),
                Map.entry("WINCH_LOG_FORMAT", "json"),
                Map.entry("WINCH_WORKER_POOL_SIZE", "16"),
                Map.entry("WINCH_BLOCKING_TIMEOUT", "PT1M"),
                Map.entry("WINCH_CONSUMER_GROUP", "winch-upgrader-blue"),
                Map.entry("WINCH_CONSUMER_MAX_IN_FLIGHT", "4"),
                Map.entry("WINCH_RETRY_MAX_ATTEMPTS", "3"),
                Map.entry("WINCH_RETRY_BACKOFF", "500ms"),
                Map.entry("WINCH_RETRY_BACKOFF_MAX", "30s"),
                Map.entry("WINCH_SHUTDOWN_TIMEOUT", "0s"),
                Map.entry("WINCH_HTTP_SERVER_METRICS", "false")));

        RuntimeConfig config = RuntimeConfig.fromEnv("upgrader", env);

        assertThatCode(env::validate).doesNotThrowAnyException();
        assertThat(config).isEqualTo(new RuntimeConfig("upgrader", "kafka-0.kafka:9092,kafka-1.kafka:9092", 0,
                "127.0.0.1", LogFormat.JSON, 16, Duration.ofMinutes(1), "winch-upgrader-blue", 4, 3, Duration.ofMillis(500),
                Duration.ofSeconds(30), Duration.ZERO, false));
    }

    @Test
    void namesEveryBadVariableInOneException() {
        Env env = new Env(Map.of(
                "WINCH_MANAGEMENT_PORT", "abc",
                "KAFKA_BOOTSTRAP_SERVERS", "nohostport",
                "WINCH_LOG_FORMAT", "xml",
                "WINCH_RETRY_MAX_ATTEMPTS", "0",
                "WINCH_BLOCKING_TIMEOUT", "soon",
                "WINCH_MANAGEMENT_HOST", "every interface"));
        RuntimeConfig.fromEnv("scaler", env);

        assertThatThrownBy(env::validate).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).hasSize(6);
            assertThat(e.getMessage()).contains("WINCH_MANAGEMENT_HOST", "'every interface'",
                    "WINCH_MANAGEMENT_PORT", "'abc'", "KAFKA_BOOTSTRAP_SERVERS",
                    "'nohostport'", "WINCH_LOG_FORMAT", "WINCH_RETRY_MAX_ATTEMPTS", "WINCH_BLOCKING_TIMEOUT");
        });
    }

    @Test
    void rejectsBootstrapServersThatAreNotHostPortLists() {
        for (String bad : new String[] {"kafka", "kafka:", "kafka:9092,", "kafka:9092, kafka-1:9092", ":9092x"}) {
            Env env = new Env(Map.of("KAFKA_BOOTSTRAP_SERVERS", bad));
            RuntimeConfig.fromEnv("scaler", env);
            assertThatThrownBy(env::validate).as(bad).hasMessageStartingWith("KAFKA_BOOTSTRAP_SERVERS");
        }
    }

    @Test
    void rejectsAMaximumBackoffBelowTheFirstBackoff() {
        Env env = new Env(Map.of("WINCH_RETRY_BACKOFF", "10s", "WINCH_RETRY_BACKOFF_MAX", "1s"));
        RuntimeConfig.fromEnv("scaler", env);

        assertThatThrownBy(env::validate)
                .hasMessage("WINCH_RETRY_BACKOFF_MAX must not be less than WINCH_RETRY_BACKOFF");
    }

    @Test
    void serviceConfigNamesAMissingSecretAlongsideOtherProblems() {
        assertThatThrownBy(() -> HookConfig.fromEnv(Map.of("WINCH_WORKER_POOL_SIZE", "1000")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "WINCH_WORKER_POOL_SIZE must be between 1 and 256, got 1000",
                        "WINCH_HOOK_TOKEN is required"));
    }

    @Test
    void printsAServiceConfigWithoutItsSecrets() {
        HookConfig config = HookConfig.fromEnv(Map.of("WINCH_HOOK_TOKEN", "gh-9f8e7d6c5b4a", "KAFKA_BOOTSTRAP_SERVERS",
                "kafka:9092"));

        assertThat(config.hookToken().matches("gh-9f8e7d6c5b4a")).isTrue();
        assertThat(config.toString()).doesNotContain("gh-9f8e7d6c5b4a").contains("hookToken=******", "kafka:9092");
    }
}
