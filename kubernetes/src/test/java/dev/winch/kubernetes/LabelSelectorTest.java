package dev.winch.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.kubernetes.LabelSelector.Requirement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {

    private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front", "winch.dev/upgrade", "");

    private static LabelSelector expressions(Requirement... requirements) {
        return new LabelSelector(Map.of(), List.of(requirements));
    }

    @Test
    void matchLabelsNeedEveryPairWithItsValue() {
        LabelSelector selector = LabelSelector.of(Map.of("app", "web", "tier", "front"));

        assertThat(selector.matches(WEB)).isTrue();
        assertThat(selector.matches(Map.of("app", "web"))).isFalse();
        assertThat(selector.matches(Map.of("app", "web", "tier", "back"))).isFalse();
        assertThat(selector.matches(null)).isFalse();
    }

    @Test
    void inNeedsTheKeyWithOneOfTheValues() {
        LabelSelector selector = expressions(Requirement.in("tier", "front", "edge"));

        assertThat(selector.matches(WEB)).isTrue();
        assertThat(selector.matches(Map.of("tier", "back"))).isFalse();
        assertThat(selector.matches(Map.of("app", "web"))).as("key missing").isFalse();
    }

    @Test
    void notInTakesAMissingKeyAndAnyOtherValue() {
        LabelSelector selector = expressions(Requirement.notIn("tier", "back"));

        assertThat(selector.matches(WEB)).isTrue();
        assertThat(selector.matches(Map.of("app", "web"))).as("key missing").isTrue();
        assertThat(selector.matches(Map.of("tier", "back"))).isFalse();
    }

    @Test
    void existsTakesAnyValueEvenAnEmptyOne() {
        LabelSelector selector = expressions(Requirement.exists("winch.dev/upgrade"));

        assertThat(selector.matches(WEB)).as("empty value").isTrue();
        assertThat(selector.matches(Map.of("winch.dev/upgrade", "yes"))).isTrue();
        assertThat(selector.matches(Map.of("app", "web"))).isFalse();
    }

    @Test
    void doesNotExistRefusesTheKeyWhateverItsValue() {
        LabelSelector selector = expressions(Requirement.doesNotExist("winch.dev/frozen"));

        assertThat(selector.matches(WEB)).isTrue();
        assertThat(selector.matches(Map.of("winch.dev/frozen", ""))).isFalse();
        assertThat(selector.matches(null)).isTrue();
    }

    @Test
    void everyTermMustHold() {
        LabelSelector selector = new LabelSelector(Map.of("app", "web"),
                List.of(Requirement.in("tier", "front"), Requirement.doesNotExist("winch.dev/frozen")));

        assertThat(selector.matches(WEB)).isTrue();
        assertThat(selector.matches(Map.of("app", "web", "tier", "front", "winch.dev/frozen", "1"))).isFalse();
        assertThat(selector.matches(Map.of("app", "api", "tier", "front"))).isFalse();
    }

    @Test
    void aReceiverSelectorWithAnEmptyValueOnlyNeedsTheKey() {
        // the upgrader's LabelSelectorsTest, case for case
        LabelSelector selector = LabelSelector.ofReceiver(Map.of("app", "web", "winch.dev/upgrade", ""));

        assertThat(selector.matches(Map.of("app", "web", "winch.dev/upgrade", "x"))).isTrue();
        assertThat(selector.matches(Map.of("app", "web"))).isFalse();
        assertThat(selector.matches(Map.of("app", "api", "winch.dev/upgrade", ""))).isFalse();
        assertThat(selector.matches(null)).isFalse();
        assertThat(selector.describe()).isEqualTo("app=web,winch.dev/upgrade");
    }

    @Test
    void aReceiverSelectorTakesANullValueAsKeyOnlyToo() {
        // the scaler's KubernetesWorkloads.matches: a null value, as a decoded event may carry, means "exists"
        Map<String, String> labels = new HashMap<>();
        labels.put("app", "web");
        labels.put("winch.dev/scale", null);
        LabelSelector selector = LabelSelector.ofReceiver(labels);

        assertThat(selector.matchLabels()).containsExactly(Map.entry("app", "web"));
        assertThat(selector.matchExpressions()).containsExactly(Requirement.exists("winch.dev/scale"));
        assertThat(selector.matches(Map.of("app", "web", "winch.dev/scale", "2"))).isTrue();
        assertThat(selector.matches(Map.of("app", "web", "other", "2"))).isFalse();
        assertThat(selector.matches(Map.of("winch.dev/scale", "2"))).isFalse();
    }

    @Test
    void aLabelMappedToNullIsNotALabel() {
        // never sent by an API server; decided once here for maps built by hand
        Map<String, String> labels = new HashMap<>();
        labels.put("winch.dev/upgrade", null);

        assertThat(LabelSelector.ofReceiver(Map.of("winch.dev/upgrade", "")).matches(labels)).isFalse();
        assertThat(expressions(Requirement.doesNotExist("winch.dev/upgrade")).matches(labels)).isTrue();
    }

    @Test
    void anEmptySelectorSaysSoAndMatchesEverything() {
        assertThat(LabelSelector.ofReceiver(Map.of()).isEmpty()).isTrue();
        assertThat(LabelSelector.ofReceiver(null).matches(WEB)).isTrue();
        assertThat(LabelSelector.ofReceiver(Map.of("app", "")).isEmpty()).isFalse();
    }

    @Test
    void describesEveryTermTheWayKubectlTakesItInKeyOrder() {
        LabelSelector selector = new LabelSelector(Map.of("app", "web"), List.of(Requirement.notIn("zone", "b", "a"),
                Requirement.in("tier", "front", "edge"), Requirement.doesNotExist("frozen"),
                Requirement.exists("canary")));

        assertThat(selector.describe()).isEqualTo("app=web,canary,!frozen,tier in (edge,front),zone notin (a,b)");
    }

    @Test
    void shouldRejectRequirementsTheApiServerWouldRefuse() {
        assertThatThrownBy(() -> new Requirement("tier", LabelSelector.Operator.IN, java.util.Set.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("IN on label 'tier' needs at least one value");
        assertThatThrownBy(() -> new Requirement("tier", LabelSelector.Operator.EXISTS, java.util.Set.of("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("EXISTS on label 'tier' takes no values");
        assertThatThrownBy(() -> Requirement.exists(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a label selector requirement needs a key");
    }
}
