package dev.winch.upgrader.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.upgrader.model.PodTemplateFingerprint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pod-template fingerprint, computed from fabric8 objects without a server. */
class WorkloadObjectsTest {

    private static Deployment deployment(int replicas, String image, Map<String, String> podAnnotations) {
        return new DeploymentBuilder()
                .withNewMetadata().withName("web").withNamespace("demo").withGeneration(2L).endMetadata()
                .withNewSpec()
                  .withReplicas(replicas)
                  .withNewTemplate()
                    .withNewMetadata().withAnnotations(podAnnotations).endMetadata()
                    .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec()
                  .endTemplate()
                .endSpec()
                .build();
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void theFingerprintIgnoresTheReplicaCountAndTheOrderOfAnnotations() {
        PodTemplateFingerprint written = WorkloadObjects.fingerprint(deployment(3, "team/web:2",
                ordered("a", "1", "b", "2")));
        PodTemplateFingerprint scaled = WorkloadObjects.fingerprint(deployment(5, "team/web:2",
                ordered("b", "2", "a", "1")));

        assertThat(scaled.sameTemplate(written)).isTrue();
        assertThat(written.images()).containsExactly(Map.entry("web", "team/web:2"));
    }

    @Test
    void theFingerprintChangesWithTheImageOrAnyOtherTemplateField() {
        PodTemplateFingerprint written = WorkloadObjects.fingerprint(deployment(3, "team/web:2", Map.of()));

        assertThat(WorkloadObjects.fingerprint(deployment(3, "team/web:3", Map.of())).sameTemplate(written))
                .isFalse();
        PodTemplateFingerprint restarted = WorkloadObjects.fingerprint(deployment(3, "team/web:2",
                Map.of(WorkloadObjects.RESTARTED_AT, "2025-06-03T08:00:00Z")));
        assertThat(restarted.sameTemplate(written)).isFalse();
        assertThat(restarted.restartedAt()).isEqualTo("2025-06-03T08:00:00Z");
    }
}
