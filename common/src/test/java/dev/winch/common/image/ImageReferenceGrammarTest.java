package dev.winch.common.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edge cases of Docker's reference grammar ({@code distribution/reference} with {@code go-digest}), as the gateway
 * checks the names a registry sends and the upgrader reads the images it runs: both with {@link ImageReference}.
 */
class ImageReferenceGrammarTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "app", "team/app", "hongxiaolu/iperf3", "rancher_cn/webhook", "a/b/c/d", "my-team/my--app", "my__team/app",
        "quay.io/dgangaia/test", "registry.example.com:5000/team/app", "localhost/harbor/alpine",
        "localhost:5000/app", "192.168.100.227:5000/hello-world", "Registry.Example.com/team/app",
        "registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook", "[::1]:5000/app", "Team/app"
    })
    void acceptsRepositories(String name) {
        assertThat(ImageReference.isRepository(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "team/App", "team//app", "/team/app", "team/app/", "team/-app", "team/app-", "team/a..b",
        "team/a___b", "team/app:latest", "team/app@sha256:abc", "https://quay.io/team/app",
        "registry.example.com:port/app", "registry.example.com:65536/app", "registry.example.com:/app",
        "-registry.example.com/app", "registry..example.com/app", "quay.io/Team/app", "a b/c", "APP"
    })
    void rejectsWhatDockerCouldNotPull(String name) {
        assertThat(ImageReference.isRepository(name)).isFalse();
    }

    @Test
    void rejectsARepositoryLongerThan255Characters() {
        assertThat(ImageReference.isRepository("quay.io" + "/x".repeat(124))).isTrue();
        assertThat(ImageReference.isRepository("quay.io" + "/x".repeat(125))).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            // a port makes the first component a registry, whatever else it looks like
            "registry:5000/app, registry:5000, app",
            "10.0.0.7:5000/team/app, 10.0.0.7:5000, team/app",
            // localhost is a registry without a dot or a port; other dot-less lower-case names are Docker Hub users
            "localhost/app, localhost, app",
            "localhostx/app, docker.io, localhostx/app",
            "registry/team/app, docker.io, registry/team/app",
            // upper case cannot be a path component, so Docker reads the component as a registry host
            "Team/app, team, app",
            "LOCALHOST:5000/app, localhost:5000, app",
            // library/ is prefixed to a one-component Docker Hub path only
            "nginx, docker.io, library/nginx",
            "docker.io/nginx, docker.io, library/nginx",
            "index.docker.io/nginx, docker.io, library/nginx",
            "team/nginx, docker.io, team/nginx",
            "quay.io/nginx, quay.io, nginx",
            "localhost/nginx, localhost, nginx",
    })
    void readsTheRegistryAsDockerSplitsIt(String name, String domain, String path) {
        ImageReference parsed = ImageReference.parseRepository(name);

        assertThat(parsed.domain()).isEqualTo(domain);
        assertThat(parsed.path()).isEqualTo(path);
    }

    @Test
    void readsAFirstComponentAsHostWithADotAColonLocalhostOrUpperCase() {
        assertThat(ImageReference.isRegistryHost("registry")).isFalse();
        assertThat(ImageReference.isRegistryHost("registry:5000")).isTrue();
        assertThat(ImageReference.isRegistryHost("hub.harbor.com")).isTrue();
        assertThat(ImageReference.isRegistryHost("localhost")).isTrue();
        assertThat(ImageReference.isRegistryHost("Registry")).isTrue();
        assertThat(ImageReference.isRegistryHost("hub.harbor.com/team")).isFalse();
        assertThat(ImageReference.isRegistryHost("bad_host.com")).isFalse();
        assertThat(ImageReference.isRegistryHost("")).isFalse();
        assertThat(ImageReference.isRegistryHost(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "v1", "0.01", "1.6.1", "_private", "v1.2.3-rc.1_build-7", "A"})
    void acceptsTags(String tag) {
        assertThat(ImageReference.isTag(tag)).isTrue();
    }

    @Test
    void acceptsATagOfExactly128Characters() {
        assertThat(ImageReference.isTag("a".repeat(128))).isTrue();
        assertThat(ImageReference.isTag("a".repeat(129))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-latest", ".hidden", "v1:2", "v1+build", "with space", "latest!", "${images_tag}",
        "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4"})
    void rejectsTags(String tag) {
        assertThat(ImageReference.isTag(tag)).isFalse();
    }

    @Test
    void checksTagsExactlyAsTheGrammarsRegularExpression() {
        java.util.regex.Pattern grammar = java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
        String alphabet = "aZ09_.-:+ /@é٣\u0000";
        java.util.SplittableRandom random = new java.util.SplittableRandom(20261202L);
        int accepted = 0;
        for (int n = 0; n < 50_000; n++) {
            int length = random.nextInt(n % 10 == 0 ? 131 : 6);
            StringBuilder tag = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                // Mostly characters of a tag, so that long valid tags occur as well as broken ones.
                tag.append(random.nextInt(10) < 8 ? alphabet.charAt(random.nextInt(5)) : alphabet.charAt(
                        random.nextInt(alphabet.length())));
            }
            boolean expected = grammar.matcher(tag).matches();
            assertThat(ImageReference.isTag(tag.toString())).as("'%s'", tag).isEqualTo(expected);
            accepted += expected ? 1 : 0;
        }
        assertThat(accepted).as("valid tags among the generated ones").isBetween(5_000, 45_000);
    }

    @Test
    void answersTheSameForARepositoryCheckedAgain() {
        for (int i = 0; i < 2; i++) {
            assertThat(ImageReference.isRepository("quay.io/team/again")).isTrue();
            assertThat(ImageReference.isRepository("quay.io/team/again:v1")).isFalse();
            assertThat(ImageReference.isRepository("Quay.io/Team/again")).isFalse();
        }
    }

    @Test
    void acceptsTheDigestsDockerSupportsInLowerCaseHexOfTheirLength() {
        assertThat(ImageReference.isDigest("sha256:" + "a1".repeat(32))).isTrue();
        assertThat(ImageReference.isDigest("sha384:" + "b2".repeat(48))).isTrue();
        assertThat(ImageReference.isDigest("sha512:" + "0f".repeat(64))).isTrue();
        assertThat(ImageReference.isDigest("sha256:" + "a1".repeat(31))).isFalse();
        assertThat(ImageReference.isDigest("sha384:" + "b2".repeat(32))).isFalse();
        assertThat(ImageReference.isDigest("sha512:" + "0f".repeat(32))).isFalse();
        assertThat(ImageReference.isDigest("sha256:" + "A1".repeat(32))).isFalse();
        assertThat(ImageReference.isDigest("SHA256:" + "a1".repeat(32))).isFalse();
        assertThat(ImageReference.isDigest(null)).isFalse();
    }

    @Test
    void refusesDigestAlgorithmsDockerDoesNotSupport() {
        // the grammar's regular expression alone would take these; go-digest's Parse refuses them, so pulls would
        assertThat(ImageReference.isDigest("md5:" + "a1".repeat(16))).isFalse();
        assertThat(ImageReference.isDigest("sha1:" + "a1".repeat(20))).isFalse();
        assertThat(ImageReference.isDigest("sha3-256:" + "a1".repeat(32))).isFalse();
        assertThat(ImageReference.tryParse("nginx@md5:" + "a1".repeat(16))).isEmpty();
    }

    @Test
    void readsADigestAfterAHostWithAPort() {
        ImageReference parsed = ImageReference.parse("localhost:5000/app:v1@sha384:" + "b2".repeat(48));

        assertThat(parsed.domain()).isEqualTo("localhost:5000");
        assertThat(parsed.path()).isEqualTo("app");
        assertThat(parsed.tag()).isEqualTo("v1");
        assertThat(parsed.digest()).isEqualTo("sha384:" + "b2".repeat(48));
    }
}
