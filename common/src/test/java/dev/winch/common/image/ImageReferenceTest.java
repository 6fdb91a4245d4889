package dev.winch.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

    private static final String SHA = "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8";

    @ParameterizedTest
    @CsvSource({
            "nginx, docker.io, library/nginx, , ",
            "nginx:1.25, docker.io, library/nginx, 1.25, ",
            "library/nginx:1.25, docker.io, library/nginx, 1.25, ",
            "docker.io/library/nginx:1.25, docker.io, library/nginx, 1.25, ",
            "index.docker.io/library/nginx, docker.io, library/nginx, , ",
            "hongxiaolu/iperf3:3.0, docker.io, hongxiaolu/iperf3, 3.0, ",
            "localhost/app, localhost, app, , ",
            "localhost:5000/team/app:v1, localhost:5000, team/app, v1, ",
            "Registry.Example.com:5000/team/app, registry.example.com:5000, team/app, , ",
            "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:latest, registry.cn-shanghai.aliyuncs.com, rancher_cn/webhook, latest, ",
            "[::1]:5000/app:1, [::1]:5000, app, 1, ",
            "quay.io/dgangaia/test, quay.io, dgangaia/test, , ",
    })
    void parsesAndNormalizesTheWayDockerResolvesNames(String reference, String domain, String path, String tag,
            String digest) {
        ImageReference parsed = ImageReference.parse(reference);

        assertThat(parsed.domain()).isEqualTo(domain);
        assertThat(parsed.path()).isEqualTo(path);
        assertThat(parsed.tag()).isEqualTo(tag);
        assertThat(parsed.digest()).isEqualTo(digest);
        assertThat(parsed.toString()).isEqualTo(reference);
    }

    @Test
    void readsATagAndADigestTogether() {
        ImageReference parsed = ImageReference.parse("hub.harbor.com/test-webhook/debian:latest@" + SHA);

        assertThat(parsed.name()).isEqualTo("hub.harbor.com/test-webhook/debian");
        assertThat(parsed.tag()).isEqualTo("latest");
        assertThat(parsed.digest()).isEqualTo(SHA);
        assertThat(ImageReference.parse("debian@" + SHA).effectiveTag()).isNull();
        assertThat(ImageReference.parse("debian").effectiveTag()).isEqualTo("latest");
    }

    @ParameterizedTest
    @CsvSource({
            "nginx, docker.io/library/nginx:1.25",
            "nginx:1.0, index.docker.io/library/nginx@" + SHA,
            "library/nginx, nginx:latest",
            "registry.example.com:5000/app, REGISTRY.example.com:5000/app:2",
    })
    void spellingsOfOneRepositoryAreTheSameRepository(String a, String b) {
        assertThat(ImageReference.parse(a).sameRepository(ImageReference.parse(b))).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
            "nginx, bitnami/nginx",
            "registry.example.com:5000/app, registry.example.com/app",
            "registry.example.com:5000/app, registry.example.com:5001/app",
            "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook, registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook",
            "quay.io/team/app, docker.io/team/app",
            "team/app, team/app-sidecar",
    })
    void differentRegistriesPortsOrPathsAreDifferentRepositories(String a, String b) {
        assertThat(ImageReference.parse(a).sameRepository(ImageReference.parse(b))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " nginx", "nginx:", ":1.0", "nginx/App", "team//app", "team/app/", "team/-app",
            "nginx:-1", "nginx@sha256:abc", "nginx@md5:0123", "registry.example.com:99999/app", "bad_host.com/app",
            "nginx:1.0:2.0", "app@" })
    void rejectsWhatDoesNotParseWithAReason(String reference) {
        assertThatThrownBy(() -> ImageReference.parse(reference))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image reference");
        assertThat(ImageReference.tryParse(reference)).isEmpty();
    }

    @Test
    void rejectsARepositoryNameLongerThanDockerAllows() {
        String longName = "team/" + "a".repeat(260);

        assertThatThrownBy(() -> ImageReference.parse(longName)).hasMessageContaining("longer than 255");
    }

    @Test
    void aRepositoryNameCarriesNoTag() {
        assertThat(ImageReference.parseRepository("hongxiaolu/iperf3").canonicalRepository())
                .isEqualTo("docker.io/hongxiaolu/iperf3");
        assertThatThrownBy(() -> ImageReference.parseRepository("hongxiaolu/iperf3:1.0"))
                .hasMessageContaining("not a repository name");
    }

    @Test
    void aNewTagKeepsTheRepositoryAsItsOwnerWroteIt() {
        ImageReference running = ImageReference.parse("nginx:1.25@" + SHA);

        assertThat(running.with("1.26", null).toString()).isEqualTo("nginx:1.26");
        assertThat(running.with("1.26", SHA).toString()).isEqualTo("nginx:1.26@" + SHA);
        assertThatThrownBy(() -> running.with("bad tag", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void familiarRepositoryIsDockersShortForm() {
        assertThat(ImageReference.parse("docker.io/library/nginx").familiarRepository()).isEqualTo("nginx");
        assertThat(ImageReference.parse("docker.io/team/app").familiarRepository()).isEqualTo("team/app");
        assertThat(ImageReference.parse("quay.io/team/app").familiarRepository()).isEqualTo("quay.io/team/app");
    }

    @Test
    void recognisesDigestsAndTags() {
        assertThat(ImageReference.isDigest(SHA)).isTrue();
        assertThat(ImageReference.isDigest("sha256:F66DAA")).isFalse();
        assertThat(ImageReference.isDigest(null)).isFalse();
        assertThat(ImageReference.isTag("v1.2.3-rc.1")).isTrue();
        assertThat(ImageReference.isTag(".hidden")).isFalse();
    }
}
