package dev.winch.common.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.event.WorkloadRef;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The API server's name rules, as the gateway applies them before a name reaches a worker. */
class KubernetesNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"demo", "kube-system", "a", "0", "123-abc", "web-7d9f8b6c5"})
    void acceptsDns1123Labels(String name) {
        assertThat(KubernetesNames.isDns1123Label(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../kube-system", "demo/other", "DEMO", "Demo", "demo_ns", "-demo", "demo-", "de.mo",
        "demo\u0000", "demo\n", "\ndemo", " demo", "demo ", "..", "démo"})
    void rejectsWhatIsNotADns1123Label(String name) {
        assertThat(KubernetesNames.dns1123LabelProblem(name)).isPresent();
    }

    @Test
    void aLabelIsAtMost63Characters() {
        assertThat(KubernetesNames.isDns1123Label("a".repeat(63))).isTrue();
        assertThat(KubernetesNames.dns1123LabelProblem("a".repeat(64))).hasValue("must be no more than 63 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"web", "web.v2", "a.b.c", "0.0.1", "node-exporter"})
    void acceptsDns1123Subdomains(String name) {
        assertThat(KubernetesNames.isDns1123Subdomain(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", ".", "web.", ".web", "a..b", "web/x", "Web", "web_1", "web\u0000", "web\n"})
    void rejectsWhatIsNotADns1123Subdomain(String name) {
        assertThat(KubernetesNames.dns1123SubdomainProblem(name)).isPresent();
    }

    @Test
    void aSubdomainIsAtMost253Characters() {
        String longest = ("a".repeat(62) + ".").repeat(4) + "a";
        assertThat(longest).hasSize(253);
        assertThat(KubernetesNames.isDns1123Subdomain(longest)).isTrue();
        assertThat(KubernetesNames.dns1123SubdomainProblem(longest + "a")).hasValue("must be no more than 253 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"app", "App", "app.kubernetes.io/name", "winch.dev/group", "a_b", "a-b.c", "x"})
    void acceptsLabelKeys(String key) {
        assertThat(KubernetesNames.labelKeyProblem(key)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/app", "app/", "a/b/c", "-app", "app-", "Example.com/app", "ex_ample.com/app",
        "app\u0000", "a b"})
    void rejectsLabelKeys(String key) {
        assertThat(KubernetesNames.labelKeyProblem(key)).isPresent();
    }

    @Test
    void aLabelKeyNameIsAtMost63CharactersAfterItsPrefix() {
        assertThat(KubernetesNames.labelKeyProblem("winch.dev/" + "a".repeat(63))).isEmpty();
        assertThat(KubernetesNames.labelKeyProblem("winch.dev/" + "a".repeat(64))).isPresent();
    }

    @Test
    void labelValuesMayBeEmptyButOtherwiseFollowTheNameRule() {
        assertThat(KubernetesNames.labelValueProblem("")).isEmpty();
        assertThat(KubernetesNames.labelValueProblem("Web_1.0-rc")).isEmpty();
        assertThat(KubernetesNames.labelValueProblem("a".repeat(63))).isEmpty();
        assertThat(KubernetesNames.labelValueProblem("a".repeat(64))).isPresent();
        assertThat(KubernetesNames.labelValueProblem("web/x")).isPresent();
        assertThat(KubernetesNames.labelValueProblem("web\u0000")).isPresent();
        assertThat(KubernetesNames.labelValueProblem("-web")).isPresent();
    }

    @Test
    void workloadReferencesFollowTheSameRules() {
        assertThat(WorkloadRef.parse("demo", "deployment/web.v2").name()).isEqualTo("web.v2");
        for (String workload : new String[] {"deployment/..", "deployment/.", "deployment/Web", "deployment/web\u0000",
            "deployment/" + "a".repeat(254)}) {
            assertThatThrownBy(() -> WorkloadRef.parse("demo", workload)).as(workload)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workload name");
        }
        assertThatThrownBy(() -> WorkloadRef.parse("../kube-system", "deployment/web"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace");
    }

    /**
     * The checks scan characters instead of matching the API server's regular expressions; on 200,000 generated
     * names over the characters that matter (fixed seed) they agree with those expressions exactly.
     */
    @Test
    void agreesWithTheApiServersRegularExpressionsOnGeneratedNames() {
        String format = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
        Pattern label = Pattern.compile(format);
        Pattern subdomain = Pattern.compile(format + "(\\." + format + ")*");
        Pattern qualifiedName = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
        String alphabet = "az09AZ-_./ \u00e9";
        Random random = new Random(20261202);
        for (int n = 0; n < 200_000; n++) {
            StringBuilder name = new StringBuilder();
            for (int i = random.nextInt(8); i > 0; i--) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = name.toString();
            assertThat(KubernetesNames.isDns1123Label(value)).as("label %s", value)
                    .isEqualTo(label.matcher(value).matches());
            assertThat(KubernetesNames.isDns1123Subdomain(value)).as("subdomain %s", value)
                    .isEqualTo(subdomain.matcher(value).matches());
            assertThat(KubernetesNames.labelValueProblem(value).isEmpty()).as("label value %s", value)
                    .isEqualTo(value.isEmpty() || qualifiedName.matcher(value).matches());
        }
    }
}
