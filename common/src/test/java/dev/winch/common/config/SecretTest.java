package dev.winch.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretTest {

    @Test
    void neverPrintsItsValue() {
        Secret secret = Secret.of("hunter2-hunter2");

        assertThat(secret.toString()).doesNotContain("hunter2");
        assertThat(String.valueOf(secret)).isEqualTo("******");
        assertThat("token=" + secret).isEqualTo("token=******");
    }

    @Test
    void matchesOnlyTheExactValue() {
        Secret secret = Secret.of("hunter2");

        assertThat(secret.matches("hunter2")).isTrue();
        assertThat(secret.matches("hunter")).isFalse();
        assertThat(secret.matches("hunter22")).isFalse();
        assertThat(secret.matches("Hunter2")).isFalse();
        assertThat(secret.matches("")).isFalse();
        assertThat(secret.matches(null)).isFalse();
    }

    @Test
    void equalsBySecretValue() {
        assertThat(Secret.of("a")).isEqualTo(Secret.of("a")).hasSameHashCodeAs(Secret.of("a"));
        assertThat(Secret.of("a")).isNotEqualTo(Secret.of("b"));
    }
}
