package dev.winch.testkit;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;

/**
 * A stand-in Kubernetes API server: the fabric8 mock server in CRUD mode (objects are stored and
 * served back, resourceVersions are checked) over plain HTTP on 127.0.0.1.
 *
 * <p>Used by {@code *MockTest}s and by the local run, where child processes reach it through the
 * kubeconfig from {@link #writeKubeconfig(Path)}. Where it differs from a real API server (merge
 * patch of lists, strategic merge, evictions) see docs/dependencies.md.
 */
public final class SandboxKubernetes implements AutoCloseable {

  public static final String NAME = "winch-sandbox";
  public static final String DEMO_NAMESPACE = "demo";
  public static final String DEMO_DEPLOYMENT = "web";
  public static final String DEMO_IMAGE = "hongxiaolu/iperf3:3.0";
  public static final String WORKER_GROUP_LABEL = "winch.dev/group";
  public static final String UPGRADE_LABEL = "winch.dev/upgrade";

  private static final String HOST = "127.0.0.1";

  /**
   * The mock server logs every request at INFO through java.util.logging, which the logback
   * config cannot reach. Held in a field: JUL keeps loggers weakly, so a level set on a logger
   * nobody references is lost at the next GC.
   */
  private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private SandboxKubernetes(KubernetesMockServer server) {
    this.server = server;
    this.client = new KubernetesClientBuilder().withConfig(clientConfig(url())).build();
  }

  /** Starts on a free port. */
  public static SandboxKubernetes start() {
    return start(0);
  }

  /**
   * Starts on {@code port}, or a free port if it is 0 (the local run uses a fixed one). Discovery of
   * {@code autoscaling} answers as a current API server (1.26 and later): {@code v2} and {@code v1}.
   */
  public static SandboxKubernetes start(int port) {
    return start(port, newestApiShape().around(new KubernetesCrudDispatcher()));
  }

  /** The API versions a current API server serves, where the mock server alone would answer no discovery. */
  public static ServedApiVersions newestApiShape() {
    return new ServedApiVersions().serve("autoscaling", "v2", "v1");
  }

  /**
   * Starts on a free port, answering for the groups {@code versions} controls as an API server that serves only
   * those versions would (the mock server alone serves every version of every group).
   */
  public static SandboxKubernetes start(ServedApiVersions versions) {
    return start(0, versions.around(new KubernetesCrudDispatcher()));
  }

  /**
   * Starts on a free port, sending every answer {@code latency} after it was computed (on a timer of
   * the server's event loop, so requests still overlap as they would on a real API server): a
   * stand-in for an API server's round trip, for benchmarks and for tests that need work in flight.
   */
  public static SandboxKubernetes startWithLatency(Duration latency) {
    Dispatcher inner = newestApiShape().around(new KubernetesCrudDispatcher());
    return start(0, new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        MockResponse answer = inner.dispatch(request);
        return answer.getWebSocketListener() == null ? answer.setBodyDelay(latency) : answer;
      }

      @Override
      public void shutdown() {
        inner.shutdown();
      }

      @Override
      public void releaseResources() {
        inner.releaseResources();
      }
    });
  }

  private static SandboxKubernetes start(int port, Dispatcher dispatcher) {
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(), MockWebServers.http11(), new HashMap<>(), dispatcher, false);
    try {
      server.init(InetAddress.getByName(HOST), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    return new SandboxKubernetes(server);
  }

  /** A client for this server, closed with it. */
  public KubernetesClient client() {
    return client;
  }

  /** Base URL of the API, e.g. {@code http://127.0.0.1:34567}. */
  public String url() {
    return "http://" + HOST + ":" + server.getPort();
  }

  /**
   * Creates what the demo and the services' tests act on: namespace {@code demo} with Deployment
   * {@code web} (2 replicas, opted in to upgrades), and three worker Nodes, one of them NotReady.
   */
  public void seedDemo() {
    client.namespaces().resource(new NamespaceBuilder()
        .withNewMetadata().withName(DEMO_NAMESPACE).endMetadata()
        .build()).create();

    Map<String, String> podLabels = Map.of("app", DEMO_DEPLOYMENT);
    client.apps().deployments().inNamespace(DEMO_NAMESPACE).resource(new DeploymentBuilder()
        .withNewMetadata()
          .withName(DEMO_DEPLOYMENT)
          .withNamespace(DEMO_NAMESPACE)
          .withLabels(Map.of("app", DEMO_DEPLOYMENT, UPGRADE_LABEL, DEMO_DEPLOYMENT))
        .endMetadata()
        .withNewSpec()
          .withReplicas(2)
          .withNewSelector().withMatchLabels(podLabels).endSelector()
          .withNewTemplate()
            .withNewMetadata().withLabels(podLabels).endMetadata()
            .withNewSpec()
              .addNewContainer().withName(DEMO_DEPLOYMENT).withImage(DEMO_IMAGE).endContainer()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build()).create();

    client.nodes().resource(workerNode("node-a", true)).create();
    client.nodes().resource(workerNode("node-b", true)).create();
    client.nodes().resource(workerNode("node-c", false)).create();
  }

  /**
   * Writes a kubeconfig for this server (cluster, user and context all named {@value #NAME}, no
   * credentials) so a child process can use it through {@code KUBECONFIG}.
   */
  public Path writeKubeconfig(Path file) {
    String yaml = String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: " + NAME,
        "  cluster:",
        "    server: " + url(),
        "    insecure-skip-tls-verify: true",
        "users:",
        "- name: " + NAME,
        "  user: {}",
        "contexts:",
        "- name: " + NAME,
        "  context:",
        "    cluster: " + NAME,
        "    user: " + NAME,
        "    namespace: default",
        "current-context: " + NAME,
        "");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write kubeconfig " + file, e);
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      server.destroy();
    }
  }

  private static Node workerNode(String name, boolean ready) {
    return new NodeBuilder()
        .withNewMetadata()
          .withName(name)
          .withLabels(Map.of(WORKER_GROUP_LABEL, "workers", "kubernetes.io/hostname", name))
        .endMetadata()
        .withNewStatus()
          .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .withReason(ready ? "KubeletReady" : "KubeletNotReady")
          .endCondition()
        .endStatus()
        .build();
  }

  /** Ignores ~/.kube/config and KUBECONFIG: a test must never reach a real cluster by accident. */
  private static Config clientConfig(String url) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url)
        .withNamespace("default")
        .withTrustCerts(true)
        .build();
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    logger.setLevel(Level.WARNING);
    return logger;
  }
}
