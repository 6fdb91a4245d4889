package dev.winch.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvTest {

    private enum Mode {
        DRY_RUN, APPLY
    }

    @Test
    void usesDefaultsForUnsetAndBlankVariables() {
        Env env = new Env(Map.of("WINCH_PORT", "   "));

        assertThat(env.string("WINCH_NAME", "scaler")).isEqualTo("scaler");
        assertThat(env.port("WINCH_PORT", 8080)).isEqualTo(8080);
        assertThat(env.bool("WINCH_DRY", true)).isTrue();
        assertThat(env.duration("WINCH_WAIT", Duration.ofSeconds(3), Duration.ZERO)).isEqualTo(Duration.ofSeconds(3));
        assertThat(env.choice("WINCH_MODE", Mode.class, Mode.APPLY)).isEqualTo(Mode.APPLY);
        assertThat(env.secret("WINCH_TOKEN")).isEmpty();
        assertThat(env.uri("WINCH_URL")).isEmpty();
        assertThatCode(env::validate).doesNotThrowAnyException();
    }

    @Test
    void trimsValues() {
        Env env = new Env(Map.of("WINCH_NAME", "  upgrader \n", "WINCH_PORT", " 8081 "));

        assertThat(env.string("WINCH_NAME", "x")).isEqualTo("upgrader");
        assertThat(env.port("WINCH_PORT", 1)).isEqualTo(8081);
    }

    @Test
    void readsDurationsInShortAndIsoForms() {
        Env env = new Env(Map.of(
                "A", "500ms", "B", "30s", "C", "PT1M", "D", "5m", "E", "1h", "F", "pt0.25s"));

        assertThat(env.duration("A", Duration.ZERO, Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
        assertThat(env.duration("B", Duration.ZERO, Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
        assertThat(env.duration("C", Duration.ZERO, Duration.ZERO)).isEqualTo(Duration.ofMinutes(1));
        assertThat(env.duration("D", Duration.ZERO, Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
        assertThat(env.duration("E", Duration.ZERO, Duration.ZERO)).isEqualTo(Duration.ofHours(1));
        assertThat(env.duration("F", Duration.ZERO, Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThatCode(env::validate).doesNotThrowAnyException();
    }

    @Test
    void rejectsDurationsItCannotReadOrThatAreTooShort() {
        Env env = new Env(Map.of("WINCH_WAIT", "30 seconds", "WINCH_TICK", "5ms", "WINCH_NEG", "PT-1S"));

        assertThat(env.duration("WINCH_WAIT", Duration.ofSeconds(1), Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
        assertThat(env.duration("WINCH_TICK", Duration.ofSeconds(1), Duration.ofMillis(100)))
                .isEqualTo(Duration.ofSeconds(1));
        env.duration("WINCH_NEG", Duration.ofSeconds(1), Duration.ZERO);

        assertThatThrownBy(env::validate)
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).satisfiesExactly(
                        p -> assertThat(p).startsWith("WINCH_WAIT ").contains("'30 seconds'"),
                        p -> assertThat(p).startsWith("WINCH_TICK ").contains("at least 100ms"),
                        p -> assertThat(p).startsWith("WINCH_NEG ")));
    }
    @Test
    void reportsAnOutOfRangeDurationAsAProblem() {
        Env env = new Env(Map.of("WINCH_WAIT", "99999999999999999999ms", "WINCH_TICK", "9999999999999999h"));

        env.duration("WINCH_WAIT", Duration.ofSeconds(1), Duration.ZERO);
        env.duration("WINCH_TICK", Duration.ofSeconds(1), Duration.ZERO);

        assertThatThrownBy(env::validate).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).hasSize(2));
    }

    @Test
    void rejectsNumbersOutOfRangeOrNotNumbers() {
        Env env = new Env(Map.of("WINCH_PORT", "65536", "WINCH_POOL", "0", "WINCH_MAX", "ten"));

        assertThat(env.port("WINCH_PORT", 9090)).isEqualTo(9090);
        assertThat(env.integer("WINCH_POOL", 8, 1, 256)).isEqualTo(8);
        assertThat(env.integer("WINCH_MAX", 3, 1, 10)).isEqualTo(3);

        assertThatThrownBy(env::validate).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).satisfiesExactly(
                        p -> assertThat(p).isEqualTo("WINCH_PORT must be between 0 and 65535, got 65536"),
                        p -> assertThat(p).isEqualTo("WINCH_POOL must be between 1 and 256, got 0"),
                        p -> assertThat(p).isEqualTo("WINCH_MAX must be a whole number, got 'ten'")));
    }

    @Test
    void readsBooleansInTheUsualSpellings() {
        Env env = new Env(Map.of("A", "TRUE", "B", "yes", "C", "1", "D", "on", "E", "False", "F", "no", "G", "0",
                "H", "off", "I", "maybe"));

        assertThat(env.bool("A", false)).isTrue();
        assertThat(env.bool("B", false)).isTrue();
        assertThat(env.bool("C", false)).isTrue();
        assertThat(env.bool("D", false)).isTrue();
        assertThat(env.bool("E", true)).isFalse();
        assertThat(env.bool("F", true)).isFalse();
        assertThat(env.bool("G", true)).isFalse();
        assertThat(env.bool("H", true)).isFalse();
        assertThat(env.bool("I", true)).isTrue();
        assertThatThrownBy(env::validate).hasMessage("I must be true or false, got 'maybe'");
    }

    @Test
    void readsChoicesIgnoringCaseAndDashes() {
        Env env = new Env(Map.of("A", "dry-run", "B", "APPLY", "C", "yolo"));

        assertThat(env.choice("A", Mode.class, Mode.APPLY)).isEqualTo(Mode.DRY_RUN);
        assertThat(env.choice("B", Mode.class, Mode.DRY_RUN)).isEqualTo(Mode.APPLY);
        assertThat(env.choice("C", Mode.class, Mode.DRY_RUN)).isEqualTo(Mode.DRY_RUN);
        assertThatThrownBy(env::validate).hasMessage("C must be one of dry_run, apply, got 'yolo'");
    }

    @Test
    void reportsMissingRequiredVariables() {
        Env env = new Env(Map.of("WINCH_EMPTY", ""));

        env.required("WINCH_RECEIVER");
        env.required("WINCH_EMPTY");

        assertThatThrownBy(env::validate).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems())
                        .containsExactly("WINCH_RECEIVER is required", "WINCH_EMPTY is required"));
    }

    @Test
    void acceptsAbsoluteUrisOnly() {
        Env env = new Env(Map.of("GOOD", "https://hooks.example.com/winch", "RELATIVE", "hooks/winch",
                "BROKEN", "http://exa mple.com"));

        assertThat(env.uri("GOOD")).contains(URI.create("https://hooks.example.com/winch"));
        assertThat(env.uri("RELATIVE")).isEmpty();
        assertThat(env.uri("BROKEN")).isEmpty();
        assertThatThrownBy(env::validate).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).satisfiesExactly(
                        p -> assertThat(p).startsWith("RELATIVE must be an absolute URI"),
                        p -> assertThat(p).startsWith("BROKEN must be a URI")));
    }

    @Test
    void acceptsAddressesAndHostNamesToListenOn() {
        for (String good : new String[] {"0.0.0.0", "127.0.0.1", "10.1.2.3", "::", "::1", "fe80::1",
                "::ffff:127.0.0.1", "localhost", "gateway.winch.svc.cluster.local"}) {
            Env env = new Env(Map.of("WINCH_HTTP_HOST", good));
            assertThat(env.bindAddress("WINCH_HTTP_HOST", "0.0.0.0")).as(good).isEqualTo(good);
            assertThatCode(env::validate).as(good).doesNotThrowAnyException();
        }
        assertThat(new Env(Map.of()).bindAddress("WINCH_HTTP_HOST", "0.0.0.0")).isEqualTo("0.0.0.0");
    }

    @Test
    void rejectsWhatCannotBeListenedOn() {
        for (String bad : new String[] {"256.1.1.1", "127.0.0", "1.2.3.4.5", "http://0.0.0.0", "0.0.0.0:8080",
                "::g", "my host", "-gateway", "*"}) {
            Env env = new Env(Map.of("WINCH_HTTP_HOST", bad));
            assertThat(env.bindAddress("WINCH_HTTP_HOST", "0.0.0.0")).as(bad).isEqualTo("0.0.0.0");
            assertThatThrownBy(env::validate).as(bad).isInstanceOfSatisfying(ConfigException.class,
                    e -> assertThat(e.problems()).containsExactly("WINCH_HTTP_HOST must be an IP address or a host "
                            + "name to listen on, got '" + bad + "'"));
        }
    }

    @Test
    void acceptsOnlyReadableFiles(@TempDir Path dir) throws IOException {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\n");
        Env env = new Env(Map.of("FILE", kubeconfig.toString(), "DIR", dir.toString(),
                "MISSING", dir.resolve("nope").toString()));

        assertThat(env.readableFile("FILE")).contains(kubeconfig);
        assertThat(env.readableFile("DIR")).isEmpty();
        assertThat(env.readableFile("MISSING")).isEmpty();
        assertThatThrownBy(env::validate).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).hasSize(2)
                        .anySatisfy(p -> assertThat(p).startsWith("DIR must name a readable file"))
                        .anySatisfy(p -> assertThat(p).startsWith("MISSING must name a readable file")));
    }

    @Test
    void keepsSecretsOutOfItsOutput() {
        Env env = new Env(Map.of("WINCH_HOOK_TOKEN", "s3cr3t-t0ken"));

        Secret token = env.secret("WINCH_HOOK_TOKEN").orElseThrow();

        assertThat(token).hasToString("******");
        assertThat(token.reveal()).isEqualTo("s3cr3t-t0ken");
        assertThat(env.secret("WINCH_HOOK_TOKEN")).contains(token);
    }
}
