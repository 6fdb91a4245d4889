package dev.winch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxKubernetesMockTest {

  private SandboxKubernetes sandbox;
  private KubernetesClient client;

  @BeforeEach
  void startAndSeed() {
    sandbox = SandboxKubernetes.start();
    sandbox.seedDemo();
    client = sandbox.client();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void seedsAnUpgradableDeploymentFoundByLabel() {
    List<Deployment> found = client.apps().deployments().inNamespace("demo")
        .withLabel("winch.dev/upgrade", "web").list().getItems();

    assertThat(found).singleElement().satisfies(d -> {
      assertThat(d.getMetadata().getName()).isEqualTo("web");
      assertThat(d.getMetadata().getLabels()).containsEntry("app", "web");
      assertThat(d.getSpec().getReplicas()).isEqualTo(2);
      assertThat(d.getSpec().getTemplate().getSpec().getContainers()).singleElement().satisfies(c -> {
        assertThat(c.getName()).isEqualTo("web");
        assertThat(c.getImage()).isEqualTo("hongxiaolu/iperf3:3.0");
      });
    });
    assertThat(client.apps().deployments().inNamespace("demo").withLabel("winch.dev/upgrade", "other")
        .list().getItems()).isEmpty();
  }

  @Test
  void seedsThreeWorkerNodesWithNodeCNotReady() {
    List<Node> workers = client.nodes().withLabel("winch.dev/group", "workers").list().getItems();

    assertThat(workers).extracting(n -> n.getMetadata().getName())
        .containsExactlyInAnyOrder("node-a", "node-b", "node-c");
    assertThat(ready(client.nodes().withName("node-a").get())).isEqualTo("True");
    assertThat(ready(client.nodes().withName("node-c").get())).isEqualTo("False");
  }

  @Test
  void rejectsAnUpdateWithAStaleResourceVersion() {
    Deployment original = web().get();
    web().edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(3).endSpec().build());

    Deployment stale = new DeploymentBuilder(original).editSpec().withReplicas(4).endSpec().build();
    assertThatThrownBy(() -> client.apps().deployments().inNamespace("demo").resource(stale).update())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(web().get().getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void scalesThroughTheScaleSubresource() {
    web().scale(5);

    assertThat(web().get().getSpec().getReplicas()).isEqualTo(5);
    assertThat(web().scale().getSpec().getReplicas()).isEqualTo(5);
  }

  @Test
  void writesAKubeconfigAnotherClientCanUse(@TempDir Path dir) {
    Path kubeconfig = sandbox.writeKubeconfig(dir.resolve("kube/config"));

    Config config = Config.fromKubeconfig(kubeconfig.toFile());
    assertThat(config.getCurrentContext().getName()).isEqualTo("winch-sandbox");
    assertThat(config.getMasterUrl()).startsWith(sandbox.url());
    try (KubernetesClient other = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(other.apps().deployments().inNamespace("demo").list().getItems())
          .extracting(HasMetadata::getMetadata).extracting(m -> m.getName())
          .containsExactly("web");
    }
  }

  @Test
  void listensOnTheRequestedPort() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (SandboxKubernetes fixed = SandboxKubernetes.start(port)) {
      assertThat(fixed.url()).isEqualTo("http://127.0.0.1:" + port);
      assertThat(fixed.client().namespaces().list().getItems()).isEmpty();
    }
  }

  private RollableScalableResource<Deployment> web() {
    return client.apps().deployments().inNamespace("demo").withName("web");
  }

  private static String ready(Node node) {
    return node.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .map(NodeCondition::getStatus)
        .findFirst().orElse("absent");
  }
}
