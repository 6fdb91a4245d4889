package dev.winch.gateway.payload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The image name grammar every payload adapter checks names with ({@link ImageNames}). */
class PayloadImageNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "app", "team/app", "hongxiaolu/iperf3", "rancher_cn/webhook", "a/b/c/d", "my-team/my--app", "my__team/app",
        "quay.io/dgangaia/test", "registry.example.com:5000/team/app", "localhost/harbor/alpine",
        "localhost:5000/app", "192.168.100.227:5000/hello-world", "Registry.Example.com/team/app",
        "registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook"
    })
    void acceptsRepositories(String name) {
        assertThat(ImageNames.isRepository(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "Team/app", "team/App", "team//app", "/team/app", "team/app/", "team/-app", "team/app-", "team/a..b",
        "team/a___b", "team/app:latest", "team/app@sha256:abc", "https://quay.io/team/app",
        "registry.example.com:port/app", "registry.example.com:65536/app", "registry.example.com:/app",
        "-registry.example.com/app", "registry..example.com/app", "quay.io/Team/app", "a b/c"
    })
    void rejectsWhatDockerCouldNotPull(String name) {
        assertThat(ImageNames.isRepository(name)).isFalse();
    }

    @Test
    void rejectsARepositoryLongerThan255Characters() {
        assertThat(ImageNames.isRepository("quay.io" + "/x".repeat(124))).isTrue();
        assertThat(ImageNames.isRepository("quay.io" + "/x".repeat(125))).isFalse();
    }

    @Test
    void readsAFirstComponentAsHostOnlyWithADotAColonOrLocalhost() {
        assertThat(ImageNames.isRegistryHost("registry")).isFalse();
        assertThat(ImageNames.isRegistryHost("registry:5000")).isTrue();
        assertThat(ImageNames.isRegistryHost("hub.harbor.com")).isTrue();
        assertThat(ImageNames.isRegistryHost("localhost")).isTrue();
        assertThat(ImageNames.isRepository("registry/team/app")).as("Docker Hub user 'registry'").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "v1", "0.01", "1.6.1", "_private", "v1.2.3-rc.1_build-7", "A"})
    void acceptsTags(String tag) {
        assertThat(ImageNames.isTag(tag)).isTrue();
    }

    @Test
    void acceptsATagOfExactly128Characters() {
        assertThat(ImageNames.isTag("a".repeat(128))).isTrue();
        assertThat(ImageNames.isTag("a".repeat(129))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-latest", ".hidden", "v1:2", "v1+build", "with space", "latest!", "${images_tag}",
        "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4"})
    void rejectsTags(String tag) {
        assertThat(ImageNames.isTag(tag)).isFalse();
    }

    @Test
    void acceptsOnlyLowerCaseHexDigestsOfTheRightLength() {
        assertThat(ImageNames.isDigest("sha256:" + "a1".repeat(32))).isTrue();
        assertThat(ImageNames.isDigest("sha512:" + "0f".repeat(64))).isTrue();
        assertThat(ImageNames.isDigest("sha256:" + "a1".repeat(31))).isFalse();
        assertThat(ImageNames.isDigest("sha256:" + "A1".repeat(32))).isFalse();
        assertThat(ImageNames.isDigest("md5:" + "a1".repeat(16))).isFalse();
        assertThat(ImageNames.isDigest(null)).isFalse();
    }
}
