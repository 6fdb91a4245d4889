package dev.winch.upgrader.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {

    @Test
    void everyPairMustMatchAndAnEmptyValueOnlyNeedsTheKey() {
        Map<String, String> selector = Map.of("app", "web", "winch.dev/upgrade", "");

        assertThat(LabelSelectors.matches(selector, Map.of("app", "web", "winch.dev/upgrade", "x"))).isTrue();
        assertThat(LabelSelectors.matches(selector, Map.of("app", "web"))).isFalse();
        assertThat(LabelSelectors.matches(selector, Map.of("app", "api", "winch.dev/upgrade", ""))).isFalse();
        assertThat(LabelSelectors.matches(selector, null)).isFalse();
        assertThat(LabelSelectors.describe(selector)).isEqualTo("app=web,winch.dev/upgrade");
    }
}
