package dev.winch.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.winch.local.k8s.Kustomize;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * What an operator checks before shipping: the docker-compose stack, the Dockerfiles and the
 * Kubernetes manifests agree with each other and with what the services expect (ports, health
 * endpoints, environment, Kubernetes rights). No Docker engine or cluster is needed: the files are
 * parsed, not run. Every failure names the service it is about.
 */
class DeploymentManifestsTest {

  /** The runnable service modules; each has an image built from deploy/Dockerfile, a compose service, a Deployment. */
  private static final List<String> SERVICES =
      List.of("gateway", "scaler-service", "upgrader-service", "host-service", "notifier-service");

  /** Services that call the Kubernetes API (the notifier for its Kubernetes event sink). */
  private static final Set<String> KUBERNETES_SERVICES =
      Set.of("scaler-service", "upgrader-service", "host-service", "notifier-service");

  private static final int MANAGEMENT_PORT = 9090;
  private static final int GATEWAY_HTTP_PORT = 8080;
  private static final String RELEASE = "0.1.0";
  /** The one image build, relative to the repository root (the build context). */
  private static final String SHARED_DOCKERFILE = "deploy/Dockerfile";

  /**
   * The Kubernetes rights each service is granted, as "apiGroup/resource:verb" ("" is the core
   * group). Exact: a new right must be added here on purpose, so it gets reviewed.
   */
  private static final Map<String, Set<String>> EXPECTED_RIGHTS = Map.of(
      "gateway", Set.of(),
      "scaler-service", union(
          rule("apps", List.of("deployments", "statefulsets", "replicasets"), "get", "list", "update"),
          rule("autoscaling", List.of("horizontalpodautoscalers"), "get", "list")),
      "upgrader-service", union(
          rule("apps", List.of("deployments", "statefulsets", "daemonsets"), "get", "list", "update")),
      "host-service", union(
          rule("", List.of("nodes"), "get", "list", "update", "delete"),
          rule("", List.of("pods"), "get", "list"),
          rule("", List.of("pods/eviction"), "create"),
          rule("cluster.x-k8s.io", List.of("machines", "machinesets", "machinedeployments"), "get", "list",
              "update"),
          rule("", List.of("configmaps"), "get", "create", "update")),
      "notifier-service", union(
          rule("", List.of("events"), "get", "list", "watch"),
          rule("events.k8s.io", List.of("events"), "get", "list", "watch"),
          rule("", List.of("configmaps"), "get", "list", "watch"),
          rule("coordination.k8s.io", List.of("leases"), "get", "create", "update")));

  private static final Set<String> CLUSTER_SCOPED_KINDS =
      Set.of("Namespace", "ClusterRole", "ClusterRoleBinding");

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The overlays under k8s/overlays, each rendered as `kubectl apply -k` would send it. */
  static final List<String> OVERLAYS = Kustomize.OVERLAYS;

  private static Path root;
  private static JsonNode compose;
  private static final Map<String, List<Manifest>> RENDERED = new LinkedHashMap<>();
  /** The objects of the overlay the running test checks (see use). */
  private static List<Manifest> manifests;

  /** One Kubernetes object and the overlay that rendered it. */
  private record Manifest(String overlay, JsonNode doc) {
    String kind() {
      return doc.path("kind").asText();
    }

    String name() {
      return doc.path("metadata").path("name").asText();
    }

    String namespace() {
      return doc.path("metadata").path("namespace").asText();
    }

    @Override
    public String toString() {
      return kind() + "/" + name() + " in k8s/overlays/" + overlay;
    }
  }

  @BeforeAll
  static void readFiles() throws IOException {
    root = repositoryRoot();
    compose = YAML.readTree(root.resolve("docker-compose.yml").toFile());
    for (String overlay : OVERLAYS) {
      RENDERED.put(overlay, Kustomize.overlay(overlay).stream().map(doc -> new Manifest(overlay, doc)).toList());
    }
  }

  /** Checks the objects of {@code overlay} from here on. */
  private static void use(String overlay) {
    manifests = RENDERED.get(overlay);
  }

  // ---------------------------------------------------------------- docker-compose

  @Test
  void everyServiceIsInComposeBuiltFromItsModule() {
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      JsonNode svc = composeService(service);
      softly.assertThat(svc.isObject()).as("%s: missing from docker-compose.yml", service).isTrue();
      softly.assertThat(buildContext(svc)).as("%s: compose build context", service)
          .hasValueSatisfying(ctx -> assertThat(Path.of(ctx).normalize()).isEqualTo(Path.of("")));
      softly.assertThat(svc.path("build").path("dockerfile").asText()).as("%s: compose dockerfile", service)
          .isEqualTo(SHARED_DOCKERFILE);
      softly.assertThat(buildArgs(svc)).as("%s: compose build args", service).containsEntry("MODULE", service);
      softly.assertThat(svc.path("image").asText()).as("%s: compose image", service)
          .isEqualTo("winch/" + service + ":dev");
      softly.assertThat(svc.path("restart").asText()).as("%s: restart policy", service)
          .isIn("always", "unless-stopped", "on-failure");
    }
    softly.assertAll();
  }

  @Test
  void everyServiceInComposeHasAHealthCheckAndPointsAtKafka() {
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      JsonNode svc = composeService(service);
      Map<String, String> env = composeEnvironment(svc);

      String probe = String.join(" ", textList(svc.path("healthcheck").path("test")));
      softly.assertThat(probe).as("%s: compose healthcheck", service)
          .contains("dev.winch.common.runtime.HealthProbe")
          .contains("/app/app.jar")
          .contains("127.0.0.1:" + env.getOrDefault("WINCH_MANAGEMENT_PORT", "9090") + "/health/ready");
      softly.assertThat(env.get("WINCH_MANAGEMENT_PORT")).as("%s: WINCH_MANAGEMENT_PORT", service)
          .isEqualTo(String.valueOf(MANAGEMENT_PORT));

      String bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
      softly.assertThat(bootstrap).as("%s: KAFKA_BOOTSTRAP_SERVERS", service).isNotBlank();
      if (bootstrap != null) {
        for (String address : bootstrap.split(",")) {
          String host = address.strip().split(":")[0];
          JsonNode broker = composeService(host);
          softly.assertThat(composeEnvironment(broker).getOrDefault("KAFKA_PROCESS_ROLES", ""))
              .as("%s: KAFKA_BOOTSTRAP_SERVERS names %s, which must be a Kafka broker in compose", service, host)
              .contains("broker");
          softly.assertThat(composeEnvironment(broker).getOrDefault("KAFKA_ADVERTISED_LISTENERS", ""))
              .as("%s: KAFKA_BOOTSTRAP_SERVERS %s must be a listener the broker advertises", service, address)
              .contains("//" + address.strip());
        }
      }
    }
    softly.assertAll();
  }

  @Test
  void everyServiceWaitsForKafkaToBeHealthy() {
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      JsonNode dependsOn = composeService(service).path("depends_on");
      softly.assertThat(dependsOn.path("kafka").path("condition").asText())
          .as("%s: depends_on kafka condition", service)
          .isEqualTo("service_healthy");
    }
    softly.assertThat(composeService("kafka").path("healthcheck").path("test").isMissingNode())
        .as("kafka: a healthcheck, or service_healthy never comes").isFalse();
    softly.assertAll();
  }

  @Test
  void kafkaRunsInKRaftModeAsBothBrokerAndController() {
    JsonNode kafka = composeService("kafka");
    Map<String, String> env = composeEnvironment(kafka);
    SoftAssertions softly = new SoftAssertions();

    softly.assertThat(kafka.path("image").asText()).as("kafka image").startsWith("apache/kafka:");
    softly.assertThat(Set.of(env.getOrDefault("KAFKA_PROCESS_ROLES", "").split("\\s*,\\s*")))
        .as("kafka: KAFKA_PROCESS_ROLES").containsExactlyInAnyOrder("broker", "controller");
    softly.assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).as("kafka: KAFKA_CONTROLLER_QUORUM_VOTERS")
        .startsWith(env.get("KAFKA_NODE_ID") + "@");
    String controller = env.getOrDefault("KAFKA_CONTROLLER_LISTENER_NAMES", "");
    softly.assertThat(controller).as("kafka: KAFKA_CONTROLLER_LISTENER_NAMES").isNotBlank();
    softly.assertThat(env.get("KAFKA_LISTENERS")).as("kafka: KAFKA_LISTENERS").contains(controller + "://");
    softly.assertThat(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"))
        .as("kafka: KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").contains(controller + ":");
    softly.assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).as("kafka: KAFKA_ADVERTISED_LISTENERS")
        .contains("PLAINTEXT://kafka:9092")
        .doesNotContain(controller + "://");
    for (String single : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
      softly.assertThat(env.get(single)).as("kafka: %s on a one-node cluster", single).isEqualTo("1");
    }
    softly.assertThat(String.join(" ", textList(kafka.path("healthcheck").path("test"))))
        .as("kafka healthcheck").contains("kafka-broker-api-versions.sh");

    // The broker's data must survive `docker compose down` / `up`: a named volume on its log dir.
    String logDir = env.get("KAFKA_LOG_DIRS");
    List<String> volumes = textList(kafka.path("volumes"));
    softly.assertThat(volumes).as("kafka: a named volume on KAFKA_LOG_DIRS %s", logDir)
        .anySatisfy(v -> {
          String[] parts = v.split(":");
          assertThat(compose.path("volumes").has(parts[0])).as("declared in top-level volumes: " + parts[0]).isTrue();
          assertThat(parts[1]).isEqualTo(logDir);
        });
    softly.assertAll();
  }

  @Test
  void topicsAreCreatedBeforeTheServicesStartWithTheReceiversTopicCompacted() {
    JsonNode init = composeService("kafka-init");
    String script = String.join(" ", textList(init.path("entrypoint")))
        + " " + String.join(" ", textList(init.path("command")));
    SoftAssertions softly = new SoftAssertions();
    for (String topic : List.of("winch.receivers", "winch.service.scale", "winch.host.scale",
        "winch.image.pushed", "winch.results", "winch.k8s.events")) {
      softly.assertThat(script).as("kafka-init creates %s", topic).contains(topic);
    }
    softly.assertThat(script).as("kafka-init").contains("winch.receivers --config cleanup.policy=compact")
        .contains(".dlq");
    for (String service : SERVICES) {
      softly.assertThat(composeService(service).path("depends_on").path("kafka-init").path("condition").asText())
          .as("%s: waits for the topics", service).isEqualTo("service_completed_successfully");
    }
    softly.assertAll();
  }

  @Test
  void everyComposeBuildContextHasADockerfileThatRunsTheModuleJar() throws IOException {
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      JsonNode svc = composeService(service);
      Path context = root.resolve(buildContext(svc).orElse(service)).normalize();
      Path dockerfile = context.resolve(svc.path("build").path("dockerfile").asText("Dockerfile"));
      if (!Files.isRegularFile(dockerfile)) {
        softly.fail("%s: no Dockerfile %s", service, root.relativize(dockerfile));
        continue;
      }
      // As docker builds it for this service: the compose build args over the Dockerfile's ARG defaults.
      List<String> instructions = withBuildArgs(dockerInstructions(dockerfile), buildArgs(svc));
      softly.assertThat(instructions).as("%s: Dockerfile base image", service)
          .contains("FROM eclipse-temurin:17-jre");
      softly.assertThat(instructions).as("%s: Dockerfile copies the dependencies", service)
          .anyMatch(i -> i.matches("COPY (--\\S+ )*" + service + "/target/lib/? /app/lib/?"));
      softly.assertThat(instructions).as("%s: Dockerfile copies %s/target/%s.jar to /app/app.jar", service, service,
              service)
          .anyMatch(i -> i.matches("COPY (--\\S+ )*" + service + "/target/" + service + "\\.jar /app/app\\.jar"));
      for (String copied : copiedSources(instructions)) {
        softly.assertThat(dockerIgnored(copied)).as("%s: .dockerignore keeps %s in the build context", service, copied)
            .isFalse();
      }

      Optional<String> user = instructions.stream().filter(i -> i.startsWith("USER ")).reduce((a, b) -> b);
      softly.assertThat(user).as("%s: Dockerfile runs as a non-root user", service)
          .hasValueSatisfying(u -> assertThat(u.substring(5).split(":")[0]).isNotIn("root", "0"));

      List<String> entrypoint = instructions.stream().filter(i -> i.startsWith("ENTRYPOINT "))
          .reduce((a, b) -> b).map(i -> execForm(i.substring(11))).orElse(List.of());
      softly.assertThat(entrypoint).as("%s: Dockerfile ENTRYPOINT", service)
          .startsWith("java").endsWith("-jar", "/app/app.jar")
          .contains("-XX:+ExitOnOutOfMemoryError");

      Set<String> exposed = instructions.stream().filter(i -> i.startsWith("EXPOSE "))
          .flatMap(i -> Stream.of(i.substring(7).split("\\s+"))).map(p -> p.split("/")[0])
          .collect(Collectors.toSet());
      softly.assertThat(exposed).as("%s: Dockerfile EXPOSE", service).contains(String.valueOf(MANAGEMENT_PORT));
      if (service.equals("gateway")) {
        softly.assertThat(exposed).as("gateway: Dockerfile EXPOSE").contains(String.valueOf(GATEWAY_HTTP_PORT));
      }
    }
    softly.assertAll();
  }

  @Test
  void oneDockerfileBuildsEveryServiceAndNoModuleKeepsItsOwn() {
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      softly.assertThat(root.resolve(service).resolve("Dockerfile")).as("%s: a Dockerfile of its own", service)
          .doesNotExist();
    }
    softly.assertThat(root.resolve(SHARED_DOCKERFILE)).isRegularFile();
    softly.assertAll();
  }

  @Test
  void theSharedDockerfileRefusesToBuildWithoutAModule() throws IOException {
    List<String> instructions = dockerInstructions(root.resolve(SHARED_DOCKERFILE));
    assertThat(instructions).contains("ARG MODULE");
    int check = indexOfFirst(instructions, i -> i.startsWith("RUN test -n \"${MODULE}\""));
    int firstCopy = indexOfFirst(instructions, i -> i.startsWith("COPY "));
    assertThat(check).as("a RUN that fails when MODULE is empty").isNotNegative().isLessThan(firstCopy);
  }

  @Test
  void kubernetesServicesGetTheKubeconfigReadOnly() {
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      JsonNode svc = composeService(service);
      String kubeconfig = composeEnvironment(svc).get("KUBECONFIG");
      List<String> volumes = textList(svc.path("volumes"));
      if (KUBERNETES_SERVICES.contains(service)) {
        softly.assertThat(kubeconfig).as("%s: KUBECONFIG", service).isNotBlank();
        softly.assertThat(volumes).as("%s: a read-only mount at KUBECONFIG %s", service, kubeconfig)
            .anyMatch(v -> v.endsWith(":" + kubeconfig + ":ro") && v.contains("KUBECONFIG_FILE"));
      } else {
        softly.assertThat(kubeconfig).as("%s: needs no Kubernetes access", service).isNull();
      }
    }
    softly.assertAll();
  }

  @Test
  void gatewayLoadsTheSampleReceiversFileReadOnly() throws IOException {
    JsonNode gateway = composeService("gateway");
    String receiversFile = composeEnvironment(gateway).get("WINCH_RECEIVERS_FILE");
    assertThat(receiversFile).as("gateway: WINCH_RECEIVERS_FILE").isNotBlank();
    String mount = textList(gateway.path("volumes")).stream()
        .filter(v -> v.contains(":" + receiversFile))
        .findFirst().orElseThrow(() -> new AssertionError("gateway: nothing mounted at " + receiversFile));
    assertThat(mount).as("gateway: receivers mount").endsWith(":ro");

    Path sample = root.resolve(mount.split(":")[0]).normalize();
    assertThat(sample).as("gateway: the receivers file on the host").isRegularFile();
    JsonNode receivers = YAML.readTree(sample.toFile()).path("receivers");
    assertThat(receivers.isArray() && receivers.size() > 0).as("%s: a non-empty receivers list", sample).isTrue();
    for (JsonNode receiver : receivers) {
      for (String field : List.of("id", "kind", "token")) {
        assertThat(receiver.path(field).asText()).as("%s: receiver %s has %s", sample, receiver.path("id"), field)
            .isNotBlank();
      }
    }
  }

  @Test
  void managementPortsArePublishedOnDistinctHostPorts() {
    Map<String, String> hostPortOwner = new LinkedHashMap<>();
    SoftAssertions softly = new SoftAssertions();
    for (Map.Entry<String, JsonNode> entry : compose.path("services").properties()) {
      for (int[] port : publishedPorts(entry.getValue())) {
        if (port[0] == 0) {
          continue;
        }
        String previous = hostPortOwner.putIfAbsent(String.valueOf(port[0]), entry.getKey());
        softly.assertThat(previous).as("host port %d published by both %s and %s", port[0], previous, entry.getKey())
            .isNull();
      }
    }
    for (String service : SERVICES) {
      List<int[]> ports = publishedPorts(composeService(service));
      softly.assertThat(ports).as("%s: management port %d published to the host", service, MANAGEMENT_PORT)
          .anyMatch(p -> p[1] == MANAGEMENT_PORT);
    }
    softly.assertThat(publishedPorts(composeService("gateway"))).as("gateway: webhook port published")
        .anyMatch(p -> p[1] == GATEWAY_HTTP_PORT);
    softly.assertAll();
  }

  // ---------------------------------------------------------------- Kubernetes

  @ParameterizedTest
  @FieldSource("OVERLAYS")
  void everyServiceHasADeploymentProbingHealthOnTheManagementPort(String overlay) {
    use(overlay);
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      Optional<Manifest> deployment = find("Deployment", service);
      if (deployment.isEmpty()) {
        softly.fail("%s: no Deployment", service);
        continue;
      }
      JsonNode spec = deployment.get().doc().path("spec");
      JsonNode labels = spec.path("template").path("metadata").path("labels");
      softly.assertThat(labels.path("app.kubernetes.io/name").asText()).as("%s: pod label name", service)
          .isEqualTo(service);
      softly.assertThat(labels.path("app.kubernetes.io/part-of").asText()).as("%s: pod label part-of", service)
          .isEqualTo("winch");
      softly.assertThat(isSubset(spec.path("selector").path("matchLabels"), labels))
          .as("%s: Deployment selector matches its pod labels", service).isTrue();

      JsonNode container = mainContainer(spec, service);
      softly.assertThat(container.path("image").asText()).as("%s: image", service)
          .isEqualTo("winch/" + service + ":" + RELEASE);
      softly.assertThat(containerPort(container, "management")).as("%s: container port named management", service)
          .contains(MANAGEMENT_PORT);
      softly.assertThat(httpProbe(container.path("livenessProbe"))).as("%s: livenessProbe", service)
          .isEqualTo("/health/live@management");
      softly.assertThat(httpProbe(container.path("readinessProbe"))).as("%s: readinessProbe", service)
          .isEqualTo("/health/ready@management");
      softly.assertThat(envValue(container, "WINCH_MANAGEMENT_PORT").orElse(String.valueOf(MANAGEMENT_PORT)))
          .as("%s: WINCH_MANAGEMENT_PORT agrees with the management container port", service)
          .isEqualTo(String.valueOf(MANAGEMENT_PORT));

      JsonNode annotations = spec.path("template").path("metadata").path("annotations");
      softly.assertThat(annotations.path("prometheus.io/scrape").asText()).as("%s: prometheus.io/scrape", service)
          .isEqualTo("true");
      softly.assertThat(annotations.path("prometheus.io/port").asText()).as("%s: prometheus.io/port", service)
          .isEqualTo(String.valueOf(MANAGEMENT_PORT));
      softly.assertThat(annotations.path("prometheus.io/path").asText()).as("%s: prometheus.io/path", service)
          .isEqualTo("/metrics");
    }
    softly.assertAll();
  }

  @ParameterizedTest
  @FieldSource("OVERLAYS")
  void everyDeploymentRunsAsItsOwnServiceAccount(String overlay) {
    use(overlay);
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      find("Deployment", service).ifPresentOrElse(deployment -> {
        JsonNode podSpec = deployment.doc().path("spec").path("template").path("spec");
        String account = podSpec.path("serviceAccountName").asText();
        softly.assertThat(account).as("%s: serviceAccountName", service).isNotBlank().isNotEqualTo("default");
        softly.assertThat(find("ServiceAccount", account).filter(sa -> sa.namespace().equals(deployment.namespace())))
            .as("%s: ServiceAccount %s in namespace %s", service, account, deployment.namespace()).isPresent();
        boolean token = podSpec.path("automountServiceAccountToken").asBoolean(true);
        softly.assertThat(token).as("%s: mounts an API token only if it calls Kubernetes", service)
            .isEqualTo(KUBERNETES_SERVICES.contains(service));
      }, () -> softly.fail("%s: no Deployment", service));
    }
    softly.assertAll();
  }

  @ParameterizedTest
  @FieldSource("OVERLAYS")
  void everyDeploymentTakesKafkaBootstrapServersFromTheSharedConfigMap(String overlay) {
    use(overlay);
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      find("Deployment", service).ifPresentOrElse(deployment -> {
        JsonNode container = mainContainer(deployment.doc().path("spec"), service);
        List<String> configMaps = stream(container.path("envFrom"))
            .map(e -> e.path("configMapRef").path("name").asText()).filter(n -> !n.isEmpty()).toList();
        softly.assertThat(configMaps).as("%s: envFrom a ConfigMap", service).isNotEmpty();
        softly.assertThat(configMaps).as("%s: a ConfigMap in envFrom sets KAFKA_BOOTSTRAP_SERVERS", service)
            .anySatisfy(name -> {
              Manifest configMap = find("ConfigMap", name)
                  .filter(cm -> cm.namespace().equals(deployment.namespace()))
                  .orElseThrow(() -> new AssertionError("no ConfigMap " + name + " in " + deployment.namespace()));
              assertThat(configMap.doc().path("data").path("KAFKA_BOOTSTRAP_SERVERS").asText()).isNotBlank();
            });
        softly.assertThat(envValue(container, "KAFKA_BOOTSTRAP_SERVERS"))
            .as("%s: does not override the shared KAFKA_BOOTSTRAP_SERVERS", service).isEmpty();
      }, () -> softly.fail("%s: no Deployment", service));
    }
    softly.assertAll();
  }

  @ParameterizedTest
  @FieldSource("OVERLAYS")
  void everyDeploymentRunsHardenedWithResourceBounds(String overlay) {
    use(overlay);
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      find("Deployment", service).ifPresentOrElse(deployment -> {
        JsonNode podSpec = deployment.doc().path("spec").path("template").path("spec");
        JsonNode container = mainContainer(deployment.doc().path("spec"), service);
        JsonNode podSecurity = podSpec.path("securityContext");
        JsonNode security = container.path("securityContext");
        softly.assertThat(security.path("runAsNonRoot").asBoolean(podSecurity.path("runAsNonRoot").asBoolean()))
            .as("%s: runAsNonRoot", service).isTrue();
        softly.assertThat(security.path("readOnlyRootFilesystem").asBoolean())
            .as("%s: readOnlyRootFilesystem", service).isTrue();
        softly.assertThat(security.path("allowPrivilegeEscalation").asBoolean(true))
            .as("%s: allowPrivilegeEscalation", service).isFalse();
        softly.assertThat(textList(security.path("capabilities").path("drop")))
            .as("%s: capabilities dropped", service).contains("ALL");
        // A read-only root filesystem needs a writable /tmp for the JVM and Vert.x.
        softly.assertThat(stream(container.path("volumeMounts")).map(m -> m.path("mountPath").asText()))
            .as("%s: a writable /tmp", service).contains("/tmp");
        for (String bound : List.of("requests", "limits")) {
          for (String resource : List.of("cpu", "memory")) {
            softly.assertThat(container.path("resources").path(bound).path(resource).asText())
                .as("%s: resources.%s.%s", service, bound, resource).isNotBlank();
          }
        }
      }, () -> softly.fail("%s: no Deployment", service));
    }
    softly.assertAll();
  }

  @ParameterizedTest
  @FieldSource("OVERLAYS")
  void gatewayHasAServiceForwardingPort80ToItsHttpPort(String overlay) {
    use(overlay);
    Manifest service = find("Service", "gateway")
        .orElseThrow(() -> new AssertionError("gateway: no Service"));
    Manifest deployment = find("Deployment", "gateway")
        .orElseThrow(() -> new AssertionError("gateway: no Deployment"));
    JsonNode podLabels = deployment.doc().path("spec").path("template").path("metadata").path("labels");
    assertThat(service.namespace()).as("gateway: Service namespace").isEqualTo(deployment.namespace());
    assertThat(isSubset(service.doc().path("spec").path("selector"), podLabels))
        .as("gateway: Service selector %s matches the pod labels %s", service.doc().path("spec").path("selector"),
            podLabels)
        .isTrue();

    JsonNode http = stream(service.doc().path("spec").path("ports"))
        .filter(p -> p.path("name").asText().equals("http")).findFirst()
        .orElseThrow(() -> new AssertionError("gateway: Service has no port named http"));
    assertThat(http.path("port").asInt()).as("gateway: Service port").isEqualTo(80);
    String target = http.path("targetPort").asText();
    JsonNode container = mainContainer(deployment.doc().path("spec"), "gateway");
    Optional<Integer> targetPort = target.matches("\\d+") ? Optional.of(Integer.parseInt(target))
        : containerPort(container, target);
    assertThat(targetPort).as("gateway: Service targetPort %s", target).contains(GATEWAY_HTTP_PORT);
    assertThat(envValue(container, "WINCH_HTTP_PORT").orElse(String.valueOf(GATEWAY_HTTP_PORT)))
        .as("gateway: WINCH_HTTP_PORT").isEqualTo(String.valueOf(GATEWAY_HTTP_PORT));
  }

  @ParameterizedTest
  @FieldSource("OVERLAYS")
  void gatewayMountsItsReceiversConfigMapAtTheFileItReads(String overlay) throws IOException {
    use(overlay);
    Manifest deployment = find("Deployment", "gateway")
        .orElseThrow(() -> new AssertionError("gateway: no Deployment"));
    JsonNode podSpec = deployment.doc().path("spec").path("template").path("spec");
    JsonNode container = mainContainer(deployment.doc().path("spec"), "gateway");
    String file = envValue(container, "WINCH_RECEIVERS_FILE")
        .orElseThrow(() -> new AssertionError("gateway: WINCH_RECEIVERS_FILE not set"));
    assertThat(file).as("gateway: WINCH_RECEIVERS_FILE").isEqualTo("/etc/winch/receivers.yaml");

    Path path = Path.of(file);
    JsonNode mount = stream(container.path("volumeMounts"))
        .filter(m -> m.has("subPath") ? m.path("mountPath").asText().equals(file)
            : m.path("mountPath").asText().equals(path.getParent().toString()))
        .findFirst().orElseThrow(() -> new AssertionError("gateway: nothing mounted at " + file));
    assertThat(mount.path("readOnly").asBoolean()).as("gateway: receivers mount read-only").isTrue();
    String key = mount.has("subPath") ? mount.path("subPath").asText() : path.getFileName().toString();

    JsonNode volume = stream(podSpec.path("volumes"))
        .filter(v -> v.path("name").asText().equals(mount.path("name").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("gateway: no volume " + mount.path("name")));
    String configMapName = volume.path("configMap").path("name").asText();
    Manifest configMap = find("ConfigMap", configMapName).filter(cm -> cm.namespace().equals(deployment.namespace()))
        .orElseThrow(() -> new AssertionError("gateway: no receivers ConfigMap " + configMapName));
    String receivers = configMap.doc().path("data").path(key).asText(null);
    assertThat(receivers).as("gateway: ConfigMap %s has key %s", configMapName, key).isNotNull();
    assertThat(YAML.readTree(receivers).path("receivers").isArray())
        .as("gateway: ConfigMap %s/%s holds a receivers list", configMapName, key).isTrue();
  }

  @ParameterizedTest
  @FieldSource("OVERLAYS")
  void everyServiceGetsExactlyTheKubernetesRightsItNeeds(String overlay) {
    use(overlay);
    SoftAssertions softly = new SoftAssertions();
    for (String service : SERVICES) {
      String account = find("Deployment", service)
          .map(d -> d.doc().path("spec").path("template").path("spec").path("serviceAccountName").asText())
          .orElse(service);
      String namespace = find("ServiceAccount", account).map(Manifest::namespace).orElse("winch");
      softly.assertThat(grantedRights(account, namespace)).as("%s: Kubernetes rights of ServiceAccount %s/%s",
          service, namespace, account).containsExactlyInAnyOrderElementsOf(EXPECTED_RIGHTS.get(service));
    }
    for (Manifest role : manifests) {
      if (role.kind().equals("ClusterRole") || role.kind().equals("Role")) {
        for (JsonNode rule : role.doc().path("rules")) {
          for (String field : List.of("apiGroups", "resources", "verbs")) {
            softly.assertThat(textList(rule.path(field))).as("%s: no wildcard in %s", role, field)
                .doesNotContain("*");
          }
        }
      }
    }
    softly.assertAll();
  }

  // ---------------------------------------------------------------- helpers

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isDirectory(dir.resolve("k8s"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no directory with docker-compose.yml and k8s/ above "
        + Path.of("").toAbsolutePath());
  }



  private static JsonNode composeService(String name) {
    return compose.path("services").path(name);
  }

  private static Optional<String> buildContext(JsonNode service) {
    JsonNode build = service.path("build");
    String context = build.isTextual() ? build.asText() : build.path("context").asText("");
    return context.isEmpty() ? Optional.empty() : Optional.of(context);
  }

  /** A compose environment in either form: a map, or a list of KEY=VALUE. Null values stay null. */
  private static Map<String, String> composeEnvironment(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode node = service.path("environment");
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        env.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
      }
    } else {
      for (JsonNode item : node) {
        String[] kv = item.asText().split("=", 2);
        env.put(kv[0], kv.length > 1 ? kv[1] : null);
      }
    }
    return env;
  }

  /** Published ports as {host, container}, from the short ("[ip:]host:container[/proto]") or long syntax. */
  private static List<int[]> publishedPorts(JsonNode service) {
    List<int[]> ports = new ArrayList<>();
    for (JsonNode port : service.path("ports")) {
      if (port.isObject()) {
        if (port.has("published")) {
          ports.add(new int[] {port.path("published").asInt(), port.path("target").asInt()});
        }
      } else {
        String[] parts = port.asText().split("/")[0].split(":");
        if (parts.length >= 2) {
          // "127.0.0.1::9090": no host port given, Docker picks one (0 here), as a scaled service needs.
          String host = parts[parts.length - 2];
          ports.add(new int[] {host.isEmpty() ? 0 : Integer.parseInt(host), Integer.parseInt(parts[parts.length - 1])});
        }
      }
    }
    return ports;
  }

  private static List<String> textList(JsonNode node) {
    if (node.isTextual()) {
      return List.of(node.asText());
    }
    return stream(node).map(JsonNode::asText).toList();
  }

  private static Stream<JsonNode> stream(JsonNode node) {
    return StreamSupport.stream(node.spliterator(), false);
  }

  /** Dockerfile instructions, continuation lines joined, comments dropped, whitespace collapsed. */
  private static List<String> dockerInstructions(Path dockerfile) throws IOException {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : Files.readAllLines(dockerfile)) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
        continue;
      }
      boolean continued = line.endsWith("\\");
      current.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continued) {
        instructions.add(current.toString().strip().replaceAll("\\s+", " "));
        current.setLength(0);
      }
    }
    return instructions;
  }

  private static Map<String, String> buildArgs(JsonNode service) {
    Map<String, String> args = new LinkedHashMap<>();
    JsonNode node = service.path("build").path("args");
    if (node.isObject()) {
      node.properties().forEach(e -> args.put(e.getKey(), e.getValue().asText()));
    } else if (node.isArray()) {
      node.forEach(e -> {
        String[] kv = e.asText().split("=", 2);
        args.put(kv[0], kv.length > 1 ? kv[1] : "");
      });
    }
    return args;
  }

  /** The instructions with each declared ARG replaced by its build arg, else its default, else "". */
  private static List<String> withBuildArgs(List<String> instructions, Map<String, String> buildArgs) {
    Map<String, String> values = new HashMap<>();
    List<String> resolved = new ArrayList<>();
    Pattern reference = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");
    for (String instruction : instructions) {
      if (instruction.startsWith("ARG ")) {
        String[] declared = instruction.substring(4).split("=", 2);
        String name = declared[0].strip();
        String fallback = declared.length > 1 ? declared[1].strip().replaceAll("^\"|\"$", "") : "";
        values.put(name, buildArgs.getOrDefault(name, fallback));
      }
      resolved.add(reference.matcher(instruction).replaceAll(m -> {
        String name = m.group(1) != null ? m.group(1) : m.group(2);
        return Matcher.quoteReplacement(values.getOrDefault(name, m.group()));
      }));
    }
    return resolved;
  }

  /** The source paths of the COPY instructions (flags left out; the last argument is the destination). */
  private static List<String> copiedSources(List<String> instructions) {
    return instructions.stream().filter(i -> i.startsWith("COPY "))
        .flatMap(i -> {
          List<String> args = Stream.of(i.substring(5).split(" ")).filter(a -> !a.startsWith("--")).toList();
          return args.subList(0, args.size() - 1).stream();
        })
        .toList();
  }

  /**
   * Whether the root .dockerignore leaves {@code path} out of the build context: its patterns in order, the last
   * one that matches wins, a "!" pattern keeps the path (docker's rules; "**" is any number of directories).
   */
  private static boolean dockerIgnored(String path) throws IOException {
    Path ignore = root.resolve(".dockerignore");
    if (!Files.isRegularFile(ignore)) {
      return false;
    }
    String target = path.replaceAll("/+$", "");
    boolean ignored = false;
    for (String raw : Files.readAllLines(ignore)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean keep = line.startsWith("!");
      String pattern = (keep ? line.substring(1) : line).replaceAll("/+$", "");
      if (FileSystems.getDefault().getPathMatcher("glob:" + pattern).matches(Path.of(target))) {
        ignored = !keep;
      }
    }
    return ignored;
  }

  private static int indexOfFirst(List<String> items, java.util.function.Predicate<String> test) {
    for (int i = 0; i < items.size(); i++) {
      if (test.test(items.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> execForm(String json) {
    try {
      return List.of(JSON.readValue(json, String[].class));
    } catch (IOException e) {
      throw new AssertionError("ENTRYPOINT is not in exec (JSON array) form: " + json, e);
    }
  }

  private static Optional<Manifest> find(String kind, String name) {
    return manifests.stream().filter(m -> m.kind().equals(kind) && m.name().equals(name)).findFirst();
  }

  /** The container named after the service, or the only one. */
  private static JsonNode mainContainer(JsonNode deploymentSpec, String service) {
    JsonNode containers = deploymentSpec.path("template").path("spec").path("containers");
    return stream(containers).filter(c -> c.path("name").asText().equals(service)).findFirst()
        .orElse(containers.size() == 1 ? containers.get(0) : JSON.createObjectNode());
  }

  private static Optional<Integer> containerPort(JsonNode container, String name) {
    return stream(container.path("ports")).filter(p -> p.path("name").asText().equals(name))
        .map(p -> p.path("containerPort").asInt()).findFirst();
  }

  private static Optional<String> envValue(JsonNode container, String name) {
    return stream(container.path("env")).filter(e -> e.path("name").asText().equals(name))
        .map(e -> e.path("value").asText()).findFirst();
  }

  /** "path@port" of an httpGet probe, or "" when it is not one. */
  private static String httpProbe(JsonNode probe) {
    JsonNode get = probe.path("httpGet");
    return get.isObject() ? get.path("path").asText() + "@" + get.path("port").asText() : "";
  }

  private static boolean isSubset(JsonNode labels, JsonNode of) {
    if (!labels.isObject() || labels.isEmpty()) {
      return false;
    }
    return labels.properties().stream()
        .allMatch(e -> of.path(e.getKey()).asText().equals(e.getValue().asText()));
  }

  /** "apiGroup/resource:verb" for every rule of every role bound to the ServiceAccount. */
  private static Set<String> grantedRights(String account, String namespace) {
    Set<String> rights = new TreeSet<>();
    for (Manifest binding : manifests) {
      boolean clusterWide = binding.kind().equals("ClusterRoleBinding");
      if (!clusterWide && !binding.kind().equals("RoleBinding")) {
        continue;
      }
      boolean bound = stream(binding.doc().path("subjects")).anyMatch(s ->
          s.path("kind").asText().equals("ServiceAccount")
              && s.path("name").asText().equals(account)
              && s.path("namespace").asText(binding.namespace()).equals(namespace));
      if (!bound) {
        continue;
      }
      JsonNode roleRef = binding.doc().path("roleRef");
      String roleKind = roleRef.path("kind").asText();
      Manifest role = manifests.stream()
          .filter(m -> m.kind().equals(roleKind) && m.name().equals(roleRef.path("name").asText()))
          .filter(m -> roleKind.equals("ClusterRole") || m.namespace().equals(binding.namespace()))
          .findFirst()
          .orElseThrow(() -> new AssertionError(binding + " refers to a missing " + roleKind + " "
              + roleRef.path("name").asText()));
      for (JsonNode rule : role.doc().path("rules")) {
        for (String group : textList(rule.path("apiGroups"))) {
          for (String resource : textList(rule.path("resources"))) {
            for (String verb : textList(rule.path("verbs"))) {
              rights.add(group + "/" + resource + ":" + verb);
            }
          }
        }
      }
    }
    return rights;
  }

  /** "group/resource:verb" for each resource and verb of one RBAC rule. */
  private static Set<String> rule(String group, List<String> resources, String... verbs) {
    Set<String> rights = new TreeSet<>();
    for (String resource : resources) {
      for (String verb : verbs) {
        rights.add(group + "/" + resource + ":" + verb);
      }
    }
    return rights;
  }

  @SafeVarargs
  private static Set<String> union(Set<String>... sets) {
    Set<String> all = new TreeSet<>();
    for (Set<String> set : sets) {
      all.addAll(set);
    }
    return all;
  }
}
