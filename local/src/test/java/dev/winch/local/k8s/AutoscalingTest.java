package dev.winch.local.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.StreamSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Production overlays: every service has exactly one autoscaler and no replica count of its own to fight it, the
 * gateway scales on CPU from two replicas, the workers on consumer lag (KEDA) or CPU up to their topic's partition
 * count, a drain takes one pod of a service at a time, and replicas spread over zones and nodes.
 */
class AutoscalingTest {

    static final List<String> PRODUCTION_OVERLAYS = Kustomize.PRODUCTION_OVERLAYS;

    /** The topic each worker consumes. */
    static final Map<String, String> WORKER_TOPICS = Map.of(
            "scaler-service", "winch.service.scale",
            "upgrader-service", "winch.image.pushed",
            "host-service", "winch.host.scale",
            "notifier-service", "winch.results");

    @ParameterizedTest
    @FieldSource("PRODUCTION_OVERLAYS")
    void everyServiceHasOneAutoscalerAndNoReplicaCountOfItsOwn(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        SoftAssertions softly = new SoftAssertions();
        List<Deployment> deployments = manifests.all("Deployment", Deployment.class);
        assertThat(deployments).as("%s: Deployments", manifests).hasSize(5);
        for (Deployment deployment : deployments) {
            String name = deployment.getMetadata().getName();
            softly.assertThat(deployment.getSpec().getReplicas())
                    .as("%s: %s names no replica count (an apply would set it back)", manifests, name).isNull();
            long hpas = manifests.all("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class).stream()
                    .filter(h -> h.getSpec().getScaleTargetRef().getKind().equals("Deployment")
                            && h.getSpec().getScaleTargetRef().getName().equals(name))
                    .count();
            long scaledObjects = manifests.all("ScaledObject").stream()
                    .filter(s -> s.path("spec").path("scaleTargetRef").path("name").asText().equals(name)
                            && s.path("spec").path("scaleTargetRef").path("kind").asText("Deployment").equals("Deployment"))
                    .count();
            softly.assertThat(hpas + scaledObjects).as("%s: autoscalers of %s", manifests, name).isEqualTo(1);
        }
        softly.assertAll();
    }

    @ParameterizedTest
    @FieldSource("PRODUCTION_OVERLAYS")
    void theGatewayScalesOnCpuAndNeverBelowTwoReplicas(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        HorizontalPodAutoscaler hpa = manifests.get("HorizontalPodAutoscaler", "gateway", HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
        assertThat(hpa.getSpec().getMinReplicas()).as("%s: gateway minReplicas", manifests).isGreaterThanOrEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).as("%s: gateway maxReplicas", manifests)
                .isGreaterThan(hpa.getSpec().getMinReplicas());
        assertCpuUtilization(manifests, hpa, "gateway");
    }

    @Test
    void theWorkersScaleOnTheirConsumerLagUpToThePartitionCount() {
        Manifests prod = Manifests.of("prod");
        JsonNode config = prod.get("ConfigMap", "winch-config").path("data");
        SoftAssertions softly = new SoftAssertions();
        Set<String> kedaNeeds = new TreeSet<>();
        for (Map.Entry<String, String> worker : WORKER_TOPICS.entrySet()) {
            String name = worker.getKey();
            JsonNode spec = prod.get("ScaledObject", name).path("spec");
            softly.assertThat(spec.path("scaleTargetRef").path("name").asText()).as("prod: ScaledObject %s target", name)
                    .isEqualTo(name);
            JsonNode trigger = spec.path("triggers").path(0);
            JsonNode metadata = trigger.path("metadata");
            softly.assertThat(trigger.path("type").asText()).as("prod: %s trigger", name).isEqualTo("kafka");
            softly.assertThat(metadata.path("topic").asText()).as("prod: %s lag topic", name).isEqualTo(worker.getValue());
            String group = KafkaResourcesTest.DEFAULT_GROUPS.get(name);
            softly.assertThat(metadata.path("consumerGroup").asText()).as("prod: %s lag group", name).isEqualTo(group);
            softly.assertThat(metadata.path("bootstrapServers").asText()).as("prod: %s bootstrapServers", name)
                    .isEqualTo(config.path("KAFKA_BOOTSTRAP_SERVERS").asText());
            softly.assertThat(Integer.parseInt(metadata.path("lagThreshold").asText("0"))).as("prod: %s lagThreshold",
                    name).isPositive();

            int partitions = prod.get("KafkaTopic", worker.getValue()).path("spec").path("partitions").asInt();
            int min = spec.path("minReplicaCount").asInt(0);
            int max = spec.path("maxReplicaCount").asInt(100);
            softly.assertThat(min).as("prod: %s minReplicaCount (a worker is always there)", name).isGreaterThanOrEqualTo(1);
            softly.assertThat(max).as("prod: %s maxReplicaCount: at most the %d partitions of %s", name, partitions,
                    worker.getValue()).isBetween(min + 1, partitions);

            String auth = trigger.path("authenticationRef").path("name").asText();
            softly.assertThat(prod.find("TriggerAuthentication", auth)).as("prod: %s TriggerAuthentication %s", name,
                    auth).isPresent();
            kedaNeeds.add("topic " + worker.getValue() + " Describe");
            kedaNeeds.add("group " + group + " Describe");
        }
        softly.assertAll();

        // KEDA connects as a user that may describe exactly the groups and topics it watches, over the same listener.
        JsonNode authentication = prod.get("TriggerAuthentication", "winch-kafka");
        Map<String, String> parameters = new java.util.TreeMap<>();
        for (JsonNode ref : authentication.path("spec").path("secretTargetRef")) {
            parameters.put(ref.path("parameter").asText(), ref.path("name").asText() + "/" + ref.path("key").asText());
        }
        assertThat(parameters.keySet()).containsExactlyInAnyOrder("username", "password", "sasl", "tls", "ca");
        String cluster = Manifests.name(KafkaResourcesTest.kafka(prod));
        assertThat(parameters.get("ca")).isEqualTo(cluster + "-cluster-ca-cert/ca.crt");
        JsonNode settings = secretData(prod, parameters.get("username").split("/")[0]);
        String user = settings.path(parameters.get("username").split("/")[1]).asText();
        assertThat(parameters.get("password")).as("the password of KafkaUser %s, from the Secret Strimzi writes", user)
                .isEqualTo(user + "/password");
        assertThat(settings.path(parameters.get("sasl").split("/")[1]).asText()).isEqualTo("scram_sha512");
        assertThat(settings.path(parameters.get("tls").split("/")[1]).asText()).isEqualTo("enable");
        assertThat(KafkaResourcesTest.acls(prod.get("KafkaUser", user))).as("ACLs of KEDA's user %s", user)
                .containsExactlyInAnyOrderElementsOf(kedaNeeds);
    }

    @Test
    void withoutKedaTheWorkersScaleOnCpuUpToThePartitionCount() {
        Manifests byo = Manifests.of("byo-kafka");
        // The partitions an operator creates: those of the Strimzi topics, which the README tells to copy.
        List<JsonNode> strimzi = Kustomize.render(Kustomize.k8s().resolve("strimzi"));
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, String> worker : WORKER_TOPICS.entrySet()) {
            HorizontalPodAutoscaler hpa = byo.get("HorizontalPodAutoscaler", worker.getKey(), HorizontalPodAutoscaler.class);
            int partitions = strimzi.stream()
                    .filter(d -> d.path("kind").asText().equals("KafkaTopic") && Manifests.name(d).equals(worker.getValue()))
                    .findFirst().orElseThrow().path("spec").path("partitions").asInt();
            softly.assertThat(hpa.getSpec().getMinReplicas()).as("byo-kafka: %s minReplicas", worker.getKey())
                    .isGreaterThanOrEqualTo(1);
            softly.assertThat(hpa.getSpec().getMaxReplicas()).as("byo-kafka: %s maxReplicas", worker.getKey())
                    .isBetween(hpa.getSpec().getMinReplicas() + 1, partitions);
            assertCpuUtilization(byo, hpa, worker.getKey());
        }
        softly.assertAll();
    }

    @ParameterizedTest
    @FieldSource("PRODUCTION_OVERLAYS")
    void aDrainTakesOnePodOfAServiceAtATime(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        SoftAssertions softly = new SoftAssertions();
        for (Deployment deployment : manifests.all("Deployment", Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            List<PodDisruptionBudget> budgets = manifests.all("PodDisruptionBudget", PodDisruptionBudget.class).stream()
                    .filter(p -> NetworkPoliciesTest.matches(p.getSpec().getSelector(), podLabels)).toList();
            softly.assertThat(budgets).as("%s: PodDisruptionBudgets of %s", manifests, name).hasSize(1);
            if (budgets.size() != 1) {
                continue;
            }
            PodDisruptionBudget budget = budgets.get(0);
            int minReplicas = minReplicas(manifests, name);
            if (budget.getSpec().getMinAvailable() != null) {
                softly.assertThat(budget.getSpec().getMinAvailable().getIntVal())
                        .as("%s: %s minAvailable leaves a drain room at %d replicas", manifests, name, minReplicas)
                        .isBetween(1, minReplicas - 1);
            } else {
                softly.assertThat(budget.getSpec().getMaxUnavailable().getIntVal())
                        .as("%s: %s maxUnavailable", manifests, name).isEqualTo(1);
            }
        }
        softly.assertAll();
    }

    @ParameterizedTest
    @FieldSource("PRODUCTION_OVERLAYS")
    void replicasSpreadOverZonesAndNodes(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        SoftAssertions softly = new SoftAssertions();
        for (Deployment deployment : manifests.all("Deployment", Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            List<TopologySpreadConstraint> constraints =
                    deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
            Set<String> keys = new TreeSet<>();
            for (TopologySpreadConstraint constraint : constraints) {
                keys.add(constraint.getTopologyKey());
                softly.assertThat(NetworkPoliciesTest.matches(constraint.getLabelSelector(), podLabels))
                        .as("%s: %s spread counts its own pods", manifests, name).isTrue();
                softly.assertThat(constraint.getMaxSkew()).as("%s: %s maxSkew", manifests, name).isEqualTo(1);
            }
            softly.assertThat(keys).as("%s: %s spreads over", manifests, name)
                    .containsExactlyInAnyOrder("topology.kubernetes.io/zone", "kubernetes.io/hostname");
        }
        softly.assertAll();
    }

    // ---------------------------------------------------------------- helpers

    private static void assertCpuUtilization(Manifests manifests, HorizontalPodAutoscaler hpa, String deployment) {
        List<MetricSpec> metrics = hpa.getSpec().getMetrics();
        assertThat(metrics).as("%s: %s HPA metrics", manifests, deployment).hasSize(1);
        assertThat(metrics.get(0).getType()).isEqualTo("Resource");
        assertThat(metrics.get(0).getResource().getName()).isEqualTo("cpu");
        assertThat(metrics.get(0).getResource().getTarget().getType()).isEqualTo("Utilization");
        assertThat(metrics.get(0).getResource().getTarget().getAverageUtilization()).isBetween(50, 90);
        // Utilization is a share of the request: without a CPU request the HPA cannot compute it.
        Deployment target = manifests.get("Deployment", hpa.getSpec().getScaleTargetRef().getName(), Deployment.class);
        for (Container container : target.getSpec().getTemplate().getSpec().getContainers()) {
            assertThat(container.getResources().getRequests()).as("%s: %s requests cpu", manifests, deployment)
                    .containsKey("cpu");
        }
    }

    private static int minReplicas(Manifests manifests, String deployment) {
        return manifests.find("HorizontalPodAutoscaler", deployment)
                .map(h -> h.path("spec").path("minReplicas").asInt(1))
                .or(() -> manifests.find("ScaledObject", deployment)
                        .map(s -> s.path("spec").path("minReplicaCount").asInt(0)))
                .orElse(1);
    }

    private static JsonNode secretData(Manifests manifests, String secret) {
        JsonNode doc = manifests.get("Secret", secret);
        assertThat(doc.path("data").isMissingNode()).as("%s: Secret %s keeps its settings in stringData", manifests,
                secret).isTrue();
        return doc.path("stringData");
    }

    static Map<String, String> labels(LabelSelector selector) {
        return selector == null || selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
    }

    static List<JsonNode> list(JsonNode node) {
        return StreamSupport.stream(node.spliterator(), false).toList();
    }
}
