package dev.winch.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.image.TagPolicy.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TagPolicyTest {

    @Test
    void exactTakesOnlyTheFollowedTagAndSaysWhyNot() {
        TagPolicy policy = TagPolicy.parse(null, "latest");

        assertThat(policy.evaluate("latest", null).taken()).isTrue();
        Verdict refused = policy.evaluate("1.2", null);
        assertThat(refused.taken()).isFalse();
        assertThat(refused.reason()).isEqualTo("tag 1.2 is not followed; this receiver follows tag latest");
        assertThat(policy.comparesWithCurrent()).isFalse();
    }

    @Test
    void exactWithoutAFollowedTagTakesEveryTag() {
        assertThat(TagPolicy.parse("exact", null).evaluate("anything-1", "x").taken()).isTrue();
    }

    @ParameterizedTest(name = "{0}: running {1}, pushed {2} -> {3}")
    @CsvSource({
            "semver:major, 1.2.3, 2.0.0, true",
            "semver:major, 1.2.3, 1.2.4, true",
            "semver:minor, 1.2.3, 1.3.0, true",
            "semver:minor, 1.2.3, 2.0.0, false",
            "semver:patch, 1.2.3, 1.2.4, true",
            "semver:patch, 1.2.3, 1.3.0, false",
            "semver:major, 1.2.3, 1.2.3, false",
            "semver:major, 1.2.3, 1.2.2, false",
            "semver:major, v1.2.3, 1.10.0, true",
            "semver:minor, 1.2, 1.2.1, true",
            "semver:major, 1.2.3, v1.2.3, false",
            "semver:major, 1.2.3, 1.3.0-rc.1, false",
            "semver:major+prerelease, 1.2.3, 1.3.0-rc.1, true",
            "semver:major+prerelease, 1.3.0-rc.2, 1.3.0-rc.10, true",
            "semver:major+prerelease, 1.3.0-rc.1, 1.3.0, true",
            "semver:major+prerelease, 1.3.0, 1.3.0-rc.1, false",
            "semver:major, latest, 1.0.0, false",
            "semver:major, 1.0.0, latest, false",
    })
    void semverTakesOnlyNewerVersionsWithinItsLevel(String spec, String running, String pushed, boolean taken) {
        Verdict verdict = TagPolicy.parse(spec, null).evaluate(pushed, running);

        assertThat(verdict.taken()).as(verdict.reason()).isEqualTo(taken);
        assertThat(verdict.reason()).isNotBlank();
    }

    @Test
    void semverNeverDowngradesAndSaysSo() {
        Verdict verdict = TagPolicy.parse("semver:minor", null).evaluate("1.2.2", "1.2.3");

        assertThat(verdict.reason()).contains("older than the running 1.2.3").contains("never downgrades");
    }

    @Test
    void semverCannotCompareWithAContainerThatRunsNoVersion() {
        Verdict verdict = TagPolicy.parse("semver:patch", null).evaluate("1.0.1", null);

        assertThat(verdict.taken()).isFalse();
        assertThat(verdict.reason()).contains("(none) is not a version");
    }

    @ParameterizedTest
    @CsvSource({
            "glob:build-*, build-42, true",
            "glob:build-*, release-42, false",
            "glob:1.?.0, 1.2.0, true",
            "glob:1.?.0, 1.20.0, false",
            "glob:v1.*, v1.2.3, true",
            "glob:v1.*, v1x2, false",
            "regexp:^v1\\.[0-9]+$, v1.20, true",
            "regexp:^v1\\.[0-9]+$, v1.20-rc, false",
            "regexp:rc, 1.0-rc.1, true",
    })
    void globAndRegexpFilterThePushedTag(String spec, String pushed, boolean taken) {
        TagPolicy policy = TagPolicy.parse(spec, "ignored");

        assertThat(policy.evaluate(pushed, null).taken()).isEqualTo(taken);
        assertThat(policy.comparesWithCurrent()).isFalse();
        assertThat(policy.spec()).isEqualTo(spec);
    }

    @ParameterizedTest
    @ValueSource(strings = {"semver", "semver:huge", "glob:", "regexp:", "regexp:([", "latest", "exact:latest"})
    void rejectsPoliciesItCannotRead(String spec) {
        assertThatThrownBy(() -> TagPolicy.parse(spec, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tag policy must be exact, semver:major|minor|patch[+prerelease]");
    }

    @Test
    @Timeout(60)
    void aPatternThatWouldBacktrackExponentiallyAnswersAtOnce() {
        // (a+)+$ on a run of a's ended by another letter takes a backtracking engine 2^n steps; RE2 is linear
        TagPolicy policy = TagPolicy.parse("regexp:^(a+)+$", null);

        assertThat(policy.evaluate("a".repeat(120) + "b", null).taken()).isFalse();
        assertThat(policy.evaluate("a".repeat(120), null).taken()).isTrue();
    }

    @Test
    void refusesWhatGoRegexpCannotCompileWithTheReason() {
        // back-references and look-around are not RE2, as in Go's regexp that Keel's regexp: policy uses
        assertThatThrownBy(() -> TagPolicy.parse("regexp:(a)\\1", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the regular expression does not compile");
        assertThatThrownBy(() -> TagPolicy.parse("regexp:^v(?=1)", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the regular expression does not compile");
    }

    @Test
    void globTakesRegexCharactersLiterally() {
        TagPolicy policy = TagPolicy.parse("glob:v1.(x)+[y]*", null);

        assertThat(policy.evaluate("v1.(x)+[y]-build", null).taken()).isTrue();
        assertThat(policy.evaluate("v1a(x)+[y]", null).taken()).isFalse();
        assertThat(policy.evaluate("v1.xx[y]", null).taken()).isFalse();
        assertThat(TagPolicy.parse("glob:a\\E*", null).evaluate("a\\Ezz", null).taken()).isTrue();
    }

    @Test
    void specsReadBackAsTheSamePolicy() {
        for (String spec : new String[] {"exact", "semver:minor+prerelease", "glob:b-*", "regexp:^v"}) {
            TagPolicy policy = TagPolicy.parse(spec, null);
            assertThat(TagPolicy.parse(policy.spec(), null)).isEqualTo(policy);
        }
        assertThat(TagPolicy.parse("SEMVER:Patch", null).spec()).isEqualTo("semver:patch");
    }

    @Test
    void versionsOrderBySemanticVersioningPrecedence() {
        assertThat(SemanticVersion.parse("1.0.0-alpha").get())
                .isLessThan(SemanticVersion.parse("1.0.0-alpha.1").get());
        assertThat(SemanticVersion.parse("1.0.0-alpha.beta").get())
                .isLessThan(SemanticVersion.parse("1.0.0-beta").get());
        assertThat(SemanticVersion.parse("1.0.0-beta.2").get())
                .isLessThan(SemanticVersion.parse("1.0.0-beta.11").get());
        assertThat(SemanticVersion.parse("1.0.0-rc.1").get()).isLessThan(SemanticVersion.parse("1.0.0").get());
        assertThat(SemanticVersion.parse("1.0.0+build.7").get())
                .isEqualByComparingTo(SemanticVersion.parse("1.0.0").get());
        assertThat(SemanticVersion.parse("1.0.0-01")).isEmpty();
        assertThat(SemanticVersion.parse("stable")).isEmpty();
    }
}
