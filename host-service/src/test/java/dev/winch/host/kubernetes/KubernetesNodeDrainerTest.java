package dev.winch.host.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.host.model.HostAnnotations;
import dev.winch.kubernetes.OptimisticUpdate.Decision;
import dev.winch.testkit.EvictionApi;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The drainer's decisions, without an API server. */
class KubernetesNodeDrainerTest {

    @Test
    void takesOverANodeCordonedForAnotherEvent() {
        Node node = new NodeBuilder().withNewMetadata().withName("node-a")
                .addToAnnotations(HostAnnotations.DRAINING, "evt-old").addToAnnotations("team", "infra").endMetadata()
                .withNewSpec().withUnschedulable(true).endSpec().build();

        Decision<Node, String> decision = KubernetesNodeDrainer.cordonPlan(node, "evt-new");

        assertThat(decision).isInstanceOf(Decision.Write.class);
        Node written = ((Decision.Write<Node, String>) decision).changed();
        assertThat(written.getMetadata().getAnnotations())
                .containsEntry(HostAnnotations.DRAINING, "evt-new")
                .containsEntry("team", "infra");
    }

    @Test
    void cordonsANodeWithoutSpecOrAnnotations() {
        Node node = new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().build();

        Decision<Node, String> decision = KubernetesNodeDrainer.cordonPlan(node, "evt-1");

        Node written = ((Decision.Write<Node, String>) decision).changed();
        assertThat(written.getSpec().getUnschedulable()).isTrue();
        assertThat(written.getMetadata().getAnnotations()).containsEntry(HostAnnotations.DRAINING, "evt-1");
    }

    @Test
    void keepsTheBlockedTextShortEnoughForAnAnnotation() {
        Map<String, String> blocked = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            blocked.put("shop/db-" + i, EvictionApi.BUDGET_MESSAGE + " The disruption budget db-pdb needs 2 healthy"
                    + " pods and has 2 currently");
        }

        String text = KubernetesNodeDrainer.blockedText(Duration.ofMinutes(5), blocked);

        assertThat(text)
                .startsWith("drain timed out after PT5M, 50 pods left: shop/db-0 (Cannot evict pod")
                .hasSize(KubernetesNodeDrainer.MAX_BLOCKED_TEXT)
                .endsWith("…");
    }

    @Test
    void recognisesPodsThatAreLeftInPlace() {
        var daemon = new PodBuilder().withNewMetadata().withName("fluentd-1").addNewOwnerReference()
                .withKind("DaemonSet").withName("fluentd").endOwnerReference().endMetadata().build();
        var replica = new PodBuilder().withNewMetadata().withName("web-1").addNewOwnerReference()
                .withKind("ReplicaSet").withName("web-5d8f").endOwnerReference().endMetadata().build();
        var mirror = new PodBuilder().withNewMetadata().withName("etcd-node-a")
                .addToAnnotations(KubernetesNodeDrainer.MIRROR_ANNOTATION, "5f1c").endMetadata().build();
        var failed = new PodBuilder().withNewMetadata().withName("job-1").endMetadata()
                .withNewStatus().withPhase("Failed").endStatus().build();

        assertThat(KubernetesNodeDrainer.isDaemonSetPod(daemon)).isTrue();
        assertThat(KubernetesNodeDrainer.isDaemonSetPod(replica)).isFalse();
        assertThat(KubernetesNodeDrainer.isMirrorPod(mirror)).isTrue();
        assertThat(KubernetesNodeDrainer.isMirrorPod(replica)).isFalse();
        assertThat(KubernetesNodeDrainer.isFinished(failed)).isTrue();
        assertThat(KubernetesNodeDrainer.isFinished(replica)).isFalse();
    }
}
