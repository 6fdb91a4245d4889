package dev.winch.host.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostNamesTest {

    private static final String DNS_1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

    @Test
    void namesAreTheTemplatesBaseWithASuffixAndValid() {
        List<String> names = HostNames.generate("workers-7f9c2", "evt-1", 3, Set.of());

        assertThat(names).hasSize(3).doesNotHaveDuplicates()
                .allSatisfy(n -> assertThat(n).startsWith("workers-").matches(DNS_1123_LABEL).hasSizeLessThan(64));
    }

    @Test
    void theSameEventAsksForTheSameNames() {
        assertThat(HostNames.generate("workers-1", "evt-1", 2, Set.of()))
                .isEqualTo(HostNames.generate("workers-1", "evt-1", 2, Set.of()))
                .isNotEqualTo(HostNames.generate("workers-1", "evt-2", 2, Set.of()));
    }

    @Test
    void neverCollidesWithAnExistingNode() {
        List<String> first = HostNames.generate("workers", "evt-1", 2, Set.of());
        Set<String> existing = new HashSet<>(first);

        List<String> again = HostNames.generate("workers", "evt-1", 2, existing);

        assertThat(again).doesNotContainAnyElementsOf(existing).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void oddTemplateNamesStillGiveValidNames() {
        String longName = "Very.Long_Name-" + "x".repeat(80);
        assertThat(HostNames.generate(longName, "e", 1, Set.of()).get(0)).matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
                .hasSizeLessThan(64);
        assertThat(HostNames.generate("---", "e", 1, Set.of()).get(0)).startsWith("host-");
    }
}
