package dev.winch.gateway.payload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The names a registry sends, read with Docker's grammar plus the one rule of webhooks ({@link PushedImage}). */
class PushedImageNamesTest {

    @Test
    void takesWhatDockerTakesExceptAnUpperCaseFirstComponentAsHost() {
        assertThat(PushedImage.isRepository("team/app")).isTrue();
        assertThat(PushedImage.isRepository("Registry.Example.com/team/app")).isTrue();
        assertThat(PushedImage.isRepository("LOCALHOST:5000/app")).isTrue();
        assertThat(PushedImage.isRepository("localhost/app")).isTrue();
        // Docker would read "Team" as a registry host; no registry names its own repository so
        assertThat(PushedImage.isRepository("Team/app")).isFalse();
        assertThat(PushedImage.isRepository("team/App")).isFalse();
    }

    @Test
    void aRegistryHostNeedsADotAColonOrLocalhost() {
        assertThat(PushedImage.isRegistryHost("hub.harbor.com")).isTrue();
        assertThat(PushedImage.isRegistryHost("harbor:8443")).isTrue();
        assertThat(PushedImage.isRegistryHost("localhost")).isTrue();
        assertThat(PushedImage.isRegistryHost("harbor")).isFalse();
        assertThat(PushedImage.isRegistryHost("Harbor")).isFalse();
    }

    @Test
    void keepsEveryDigestDockerSupportsAndDropsTheRest() {
        String sha384 = "sha384:" + "b2".repeat(48);

        assertThat(PushedImage.digestOrNull(sha384)).isEqualTo(sha384);
        assertThat(PushedImage.digestOrNull("sha512:" + "0f".repeat(64))).isNotNull();
        assertThat(PushedImage.digestOrNull("md5:" + "a1".repeat(16))).isNull();
        assertThat(PushedImage.digestOrNull("sha256:" + "A1".repeat(32))).isNull();
        assertThat(PushedImage.digestOrNull(null)).isNull();
    }
}
