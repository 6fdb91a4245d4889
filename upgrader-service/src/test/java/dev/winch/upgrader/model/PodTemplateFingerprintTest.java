package dev.winch.upgrader.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodTemplateFingerprintTest {

    private static final PodTemplateFingerprint WRITTEN = new PodTemplateFingerprint("a", images("web", "team/web:2",
            "sidecar", "envoy:1"), null);

    private static Map<String, String> images(String... nameAndImage) {
        Map<String, String> images = new LinkedHashMap<>();
        for (int i = 0; i < nameAndImage.length; i += 2) {
            images.put(nameAndImage[i], nameAndImage[i + 1]);
        }
        return images;
    }

    @Test
    void theDigestAloneDecidesWhetherTheTemplateIsTheSame() {
        assertThat(WRITTEN.sameTemplate(new PodTemplateFingerprint("a", Map.of(), "later"))).isTrue();
        assertThat(WRITTEN.sameTemplate(new PodTemplateFingerprint("b", WRITTEN.images(), null))).isFalse();
    }

    @Test
    void saysWhichContainersAndWhichRestartChanged() {
        PodTemplateFingerprint now = new PodTemplateFingerprint("b", images("web", "team/web:3", "debug", "busybox"),
                "2025-06-03T08:01:00Z");

        assertThat(now.changesSince(WRITTEN)).isEqualTo("container web runs team/web:3 instead of team/web:2, "
                + "container debug (busybox) was added, container sidecar (envoy:1) was removed, "
                + "it was restarted at 2025-06-03T08:01:00Z");
    }

    @Test
    void aChangeOutsideImagesAndRestartIsNamedAsOtherFields() {
        assertThat(new PodTemplateFingerprint("b", WRITTEN.images(), null).changesSince(WRITTEN))
                .isEqualTo("fields other than the images changed");
    }
}
