package dev.winch.gateway.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.gateway.hooks.WebhookCases.Case;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Winch evaluates every recorded case as webhook 2.8 did, or as the case's documented difference says. The
 * outcomes were recorded from the tool itself; {@link WebhookCompatIT} re-checks them against it when it is
 * installed.
 */
class WebhookCompatTest {

    private static final List<Case> CASES = WebhookCases.all();

    @TestFactory
    Stream<DynamicTest> answersEveryCaseAsTheToolDoesOrAsDocumented() {
        List<DynamicTest> tests = new ArrayList<>();
        WebhookCases.byFile(CASES).forEach((file, cases) -> {
            Map<Case, String> winch;
            try {
                winch = WebhookCases.winch(file, cases);
            } catch (Exception e) {
                throw new AssertionError(file + " could not be loaded", e);
            }
            for (Case c : cases) {
                tests.add(DynamicTest.dynamicTest(c.toString(), () -> assertThat(winch.get(c))
                        .as("%s (tool: %s%s)", c, c.tool(), c.why() == null ? "" : "; Winch differs: " + c.why())
                        .isEqualTo(c.expected())));
            }
        });
        return tests.stream();
    }

    @Test
    void coversEveryKindOfAnswerWithAFewDocumentedDifferences() {
        assertThat(CASES).hasSizeGreaterThanOrEqualTo(200);
        assertThat(CASES).extracting(Case::tool)
                .contains(WebhookCases.MATCHED, WebhookCases.NOT_MATCHED, WebhookCases.ERROR,
                        WebhookCases.NOT_SERVED);
        List<Case> differing = CASES.stream().filter(c -> c.winch() != null && !c.winch().equals(c.tool())).toList();
        assertThat(differing).allSatisfy(c -> assertThat(c.why()).as(c.toString()).isNotBlank());
        // the differences are the exception, each one a row of the README's table
        assertThat(differing.size()).isLessThan(CASES.size() / 10);
    }

    @Test
    void loadsTheRestOfAFileBesideOddHooks() throws Exception {
        HookFile.Loaded loaded = HookFile.parse(HookFile.readHooks(WebhookCases.file("odd.json")),
                java.time.Instant.EPOCH);

        assertThat(loaded.served()).extracting(s -> s.id()).containsExactly("good", "number", "decimal", "boolean",
                "unknown-field", "twice", "exponent", "half", "million", "exp-no-sign", "exp-signed", "minus-zero",
                "one-point-zero", "uint64");
        assertThat(loaded.refused()).extracting(HookFile.Refused::id)
                .containsExactly("json-parameter", "empty-and", "twice");
        assertThat(loaded.refused()).flatExtracting(HookFile.Refused::errors).extracting(e -> e.field())
                .containsExactly("[4].parse-parameters-as-json", "[6].trigger-rule.and", "[8].id");
    }
}
