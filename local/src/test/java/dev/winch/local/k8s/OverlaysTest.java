package dev.winch.local.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Each overlay renders with {@code kubectl kustomize}, and every object it renders is one a cluster would take: it
 * fits its typed model (fabric8, Strimzi, Prometheus Operator) with no unknown field, and lives in the winch
 * namespace. What each overlay holds, and does not, is what the README says of it.
 */
class OverlaysTest {

    static final List<String> OVERLAYS = Kustomize.OVERLAYS;
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding");

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyObjectFitsItsModel(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        assertThat(manifests.docs()).as("%s renders objects", manifests).isNotEmpty();
        SoftAssertions softly = new SoftAssertions();
        for (JsonNode doc : manifests.docs()) {
            String type = Models.type(doc);
            if (Models.UNTYPED.containsKey(type)) {
                softly.assertThatCode(() -> KedaObjects.check(doc)).as("%s: %s", manifests, Models.id(doc))
                        .doesNotThrowAnyException();
            } else {
                softly.assertThatCode(() -> Models.parse(doc)).as("%s: %s", manifests, Models.id(doc))
                        .doesNotThrowAnyException();
            }
        }
        softly.assertAll();
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyNamespacedObjectIsInTheWinchNamespace(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        assertThat(manifests.find("Namespace", "winch")).as("%s: Namespace winch", manifests).isPresent();
        SoftAssertions softly = new SoftAssertions();
        for (JsonNode doc : manifests.docs()) {
            String namespace = doc.path("metadata").path("namespace").asText();
            if (CLUSTER_SCOPED.contains(doc.path("kind").asText())) {
                softly.assertThat(namespace).as("%s: %s is cluster-scoped", manifests, Models.id(doc)).isEmpty();
            } else {
                softly.assertThat(namespace).as("%s: namespace of %s", manifests, Models.id(doc)).isEqualTo("winch");
            }
        }
        softly.assertAll();
    }

    @Test
    void kubectlApplyOfTheK8sDirectoryAppliesTheDevOverlay() {
        assertThat(Kustomize.render(Kustomize.k8s())).as("kubectl kustomize k8s/")
                .containsExactlyInAnyOrderElementsOf(Manifests.of("dev").docs());
    }

    @Test
    void devRunsOneReplicaOfEachServiceAndNeedsNothingButStrimzi() {
        Manifests dev = Manifests.of("dev");
        SoftAssertions softly = new SoftAssertions();
        for (Deployment deployment : dev.all("Deployment", Deployment.class)) {
            softly.assertThat(deployment.getSpec().getReplicas()).as("dev: replicas of %s",
                    deployment.getMetadata().getName()).isEqualTo(1);
        }
        Set<String> groups = new TreeSet<>();
        dev.docs().forEach(d -> groups.add(Manifests.apiGroup(d)));
        softly.assertThat(groups).as("dev: API groups (no autoscaling, KEDA, monitoring or disruption budgets)")
                .containsExactlyInAnyOrder("", "apps", "rbac.authorization.k8s.io", "networking.k8s.io",
                        "kafka.strimzi.io");
        softly.assertAll();
    }

    @Test
    void theByoKafkaOverlayHasNoStrimziOrKedaObjects() {
        Manifests byo = Manifests.of("byo-kafka");
        assertThat(byo.hasApiGroup("kafka.strimzi.io")).as("byo-kafka: Strimzi objects").isFalse();
        assertThat(byo.hasApiGroup("keda.sh")).as("byo-kafka: KEDA objects").isFalse();
        assertThat(byo.all("Deployment")).as("byo-kafka: the five services").hasSize(5);
    }

    @Test
    void everyManifestFileBelongsToAKustomizationAndEveryReferenceExists() throws IOException {
        Path k8s = Kustomize.k8s();
        YAMLMapper yaml = new YAMLMapper();
        Set<Path> referenced = new TreeSet<>();
        SoftAssertions softly = new SoftAssertions();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(k8s)) {
            walk.filter(Files::isRegularFile).filter(f -> f.toString().matches(".*\\.ya?ml")).forEach(files::add);
        }
        for (Path file : files) {
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            JsonNode kustomization = yaml.readTree(file.toFile());
            for (String field : List.of("resources", "bases", "patchesStrategicMerge")) {
                for (String entry : Manifests.texts(kustomization.path(field))) {
                    Path target = file.getParent().resolve(entry).normalize();
                    softly.assertThat(Files.exists(target)).as("%s: %s %s exists", k8s.relativize(file), field, entry)
                            .isTrue();
                    referenced.add(target);
                }
            }
        }
        for (Path file : files) {
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                softly.assertThat(referenced).as("k8s/%s is in a kustomization", k8s.relativize(file)).contains(file);
            }
        }
        softly.assertAll();
    }
}
