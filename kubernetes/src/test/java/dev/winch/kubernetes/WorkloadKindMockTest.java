package dev.winch.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.kubernetes.LabelSelector.Requirement;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reading workloads by kind and by label selector from the fabric8 mock server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class WorkloadKindMockTest {

    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(Level.WARNING);
    }

    static KubernetesClient client;

    @BeforeAll
    static void workloads() {
        deployment("a", "web", Map.of("app", "web", "tier", "front", "winch.dev/upgrade", ""));
        deployment("a", "api", Map.of("app", "api", "tier", "back"));
        deployment("b", "web", Map.of("app", "web", "tier", "front", "winch.dev/frozen", "true"));
        client.apps().statefulSets().inNamespace("a").resource(new StatefulSetBuilder()
                .withNewMetadata().withName("db").withNamespace("a").withLabels(Map.of("app", "web", "tier", "data"))
                .endMetadata().withNewSpec().withReplicas(1).endSpec().build()).create();
        client.apps().daemonSets().inNamespace("a").resource(new DaemonSetBuilder()
                .withNewMetadata().withName("agent").withNamespace("a").withLabels(Map.of("app", "web"))
                .endMetadata().withNewSpec().endSpec().build()).create();
    }

    private static void deployment(String namespace, String name, Map<String, String> labels) {
        client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(2).endSpec().build()).create();
    }

    private static List<String> select(List<WorkloadKind> kinds, List<String> namespaces, LabelSelector selector) {
        return WorkloadKind.select(client, kinds, namespaces, selector).stream()
                .map(w -> w.getMetadata().getNamespace() + "/" + WorkloadKind.ofWorkload(w).kind() + "/"
                        + w.getMetadata().getName())
                .toList();
    }

    private static final List<WorkloadKind> ALL = List.of(WorkloadKind.DAEMONSET, WorkloadKind.STATEFULSET,
            WorkloadKind.DEPLOYMENT);

    @Test
    void getsAnObjectOfAKindOrNothing() {
        assertThat(WorkloadKind.DEPLOYMENT.get(client, "a", "web")).get()
                .extracting(w -> WorkloadKind.DEPLOYMENT.replicas(w)).isEqualTo(2);
        assertThat(WorkloadKind.STATEFULSET.get(client, "a", "web")).isEmpty();
    }

    @Test
    void selectsByReceiverLabelsAcrossKindsAndNamespacesInAStableOrder() {
        assertThat(select(ALL, List.of(), LabelSelector.ofReceiver(Map.of("app", "web"))))
                .containsExactly("a/deployment/web", "a/statefulset/db", "a/daemonset/agent", "b/deployment/web");
        assertThat(select(ALL, List.of("b", "b"), LabelSelector.ofReceiver(Map.of("app", "web"))))
                .containsExactly("b/deployment/web");
    }

    @Test
    void aKeyWithAnEmptyValueSelectsWhereTheKeyExists() {
        assertThat(select(ALL, List.of(), LabelSelector.ofReceiver(Map.of("app", "web", "winch.dev/upgrade", ""))))
                .containsExactly("a/deployment/web");
    }

    @Test
    void selectsWithEveryExpressionOperator() {
        assertThat(select(ALL, List.of("a"), new LabelSelector(Map.of(),
                List.of(Requirement.in("tier", "front", "data"))))).containsExactly("a/deployment/web",
                "a/statefulset/db");
        assertThat(select(ALL, List.of("a"), new LabelSelector(Map.of("app", "web"),
                List.of(Requirement.notIn("tier", "data"))))).containsExactly("a/deployment/web",
                "a/daemonset/agent");
        assertThat(select(List.of(WorkloadKind.DEPLOYMENT), List.of(), new LabelSelector(Map.of("app", "web"),
                List.of(Requirement.doesNotExist("winch.dev/frozen"))))).containsExactly("a/deployment/web");
        assertThat(select(List.of(WorkloadKind.DEPLOYMENT), List.of(), new LabelSelector(Map.of(),
                List.of(Requirement.exists("winch.dev/frozen"))))).containsExactly("b/deployment/web");
    }

    @Test
    void listsOneKindInOneNamespace() {
        List<HasMetadata> found = WorkloadKind.DEPLOYMENT.list(client, "a", LabelSelector.ofReceiver(Map.of()));

        assertThat(found).extracting(w -> w.getMetadata().getName()).containsExactlyInAnyOrder("web", "api");
    }
}
