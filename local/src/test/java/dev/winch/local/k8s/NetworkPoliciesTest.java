package dev.winch.local.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The NetworkPolicies allow what the services need and nothing else, judged the way Kubernetes evaluates them (a
 * pod no policy selects is open; a selected pod takes what any of its policies allows): webhooks reach the gateway
 * from anywhere, Prometheus reaches every management port from the monitoring namespace and nothing else reaches
 * the workers; with the Strimzi Kafka, the gateway reaches only DNS and the brokers, the Kubernetes workers also the
 * API server.
 */
class NetworkPoliciesTest {

    static final List<String> OVERLAYS = Kustomize.OVERLAYS;
    static final List<String> STRIMZI_OVERLAYS = Kustomize.STRIMZI_OVERLAYS;

    private static final Map<String, String> MONITORING = Map.of("kubernetes.io/metadata.name", "monitoring");
    private static final Map<String, String> OTHER_NAMESPACE = Map.of("kubernetes.io/metadata.name", "default");
    private static final Map<String, String> WINCH = Map.of("kubernetes.io/metadata.name", "winch");
    private static final Map<String, String> KUBE_SYSTEM = Map.of("kubernetes.io/metadata.name", "kube-system");
    private static final Map<String, String> KUBE_DNS = Map.of("k8s-app", "kube-dns");
    private static final Map<String, String> ANY_POD = Map.of("app", "something-else");
    private static final String API_SERVER = "10.96.0.1";
    private static final String SOMEWHERE = "203.0.113.7";

    /** A pod as a peer: its namespace's labels, its labels. */
    record Peer(Map<String, String> namespace, Map<String, String> labels) {
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void webhooksReachTheGatewayAndOnlyMonitoringReachesManagementPorts(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        List<NetworkPolicy> policies = manifests.all("NetworkPolicy", NetworkPolicy.class);
        SoftAssertions softly = new SoftAssertions();
        for (Deployment deployment : manifests.all("Deployment", Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            List<ContainerPort> ports = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts();
            softly.assertThat(policies.stream().anyMatch(p -> selects(p, labels, "Ingress")))
                    .as("%s: an ingress policy selects %s", manifests, name).isTrue();
            int management = port(ports, "management");
            softly.assertThat(ingress(policies, labels, ports, management, new Peer(MONITORING, ANY_POD)))
                    .as("%s: monitoring reaches %s:%d", manifests, name, management).isTrue();
            softly.assertThat(ingress(policies, labels, ports, management, new Peer(OTHER_NAMESPACE, ANY_POD)))
                    .as("%s: another namespace reaches %s:%d", manifests, name, management).isFalse();
            softly.assertThat(ingress(policies, labels, ports, management, new Peer(WINCH, ANY_POD)))
                    .as("%s: a pod of winch reaches %s:%d", manifests, name, management).isFalse();
            if (name.equals("gateway")) {
                int http = port(ports, "http");
                softly.assertThat(ingress(policies, labels, ports, http, new Peer(OTHER_NAMESPACE, ANY_POD)))
                        .as("%s: webhooks reach gateway:%d from anywhere", manifests, http).isTrue();
            } else {
                for (int other : List.of(80, 443, 8080)) {
                    softly.assertThat(ingress(policies, labels, ports, other, new Peer(MONITORING, ANY_POD)))
                            .as("%s: nothing reaches worker %s on %d", manifests, name, other).isFalse();
                }
            }
        }
        softly.assertAll();
    }

    @ParameterizedTest
    @FieldSource("STRIMZI_OVERLAYS")
    void theServicesReachKafkaAndTheKubernetesWorkersTheApiServer(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        List<NetworkPolicy> policies = manifests.all("NetworkPolicy", NetworkPolicy.class);
        String cluster = Manifests.name(KafkaResourcesTest.kafka(manifests));
        int kafkaPort = KafkaResourcesTest.scramListener(manifests).path("port").asInt();
        // The labels Strimzi gives a broker pod of the cluster.
        Peer broker = new Peer(WINCH, Map.of("strimzi.io/cluster", cluster, "strimzi.io/kind", "Kafka",
                "strimzi.io/name", cluster + "-kafka", "strimzi.io/broker-role", "true"));
        Peer dns = new Peer(KUBE_SYSTEM, KUBE_DNS);
        SoftAssertions softly = new SoftAssertions();
        for (Deployment deployment : manifests.all("Deployment", Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            softly.assertThat(egressTo(policies, labels, broker, kafkaPort, "TCP"))
                    .as("%s: %s reaches the brokers on %d", manifests, name, kafkaPort).isTrue();
            softly.assertThat(egressTo(policies, labels, dns, 53, "UDP")).as("%s: %s resolves names", manifests, name)
                    .isTrue();
            boolean callsKubernetes = !name.equals("gateway");
            softly.assertThat(egressTo(policies, labels, API_SERVER, 443))
                    .as("%s: %s reaches the API server", manifests, name).isEqualTo(callsKubernetes);
            if (name.equals("gateway") || name.equals("scaler-service") || name.equals("upgrader-service")) {
                softly.assertThat(egressTo(policies, labels, SOMEWHERE, 25))
                        .as("%s: %s reaches %s:25", manifests, name, SOMEWHERE).isFalse();
                softly.assertThat(egressTo(policies, labels, new Peer(OTHER_NAMESPACE, ANY_POD), 8080, "TCP"))
                        .as("%s: %s reaches other pods", manifests, name).isFalse();
            }
        }
        // Strimzi's own policy for the listener lets every Winch pod in.
        var peers = KafkaResourcesTest.scramListener(manifests).path("networkPolicyPeers");
        for (Deployment deployment : manifests.all("Deployment", Deployment.class)) {
            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            boolean admitted = false;
            for (var peer : peers) {
                if (peer.has("podSelector") && !peer.has("namespaceSelector")) {
                    admitted |= matches(Models.parse(peer.path("podSelector"), LabelSelector.class), labels);
                }
            }
            softly.assertThat(admitted).as("%s: the Kafka listener admits %s", manifests,
                    deployment.getMetadata().getName()).isTrue();
        }
        softly.assertAll();
    }

    // ---------------------------------------------------------------- evaluation

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> required = Objects.requireNonNullElse(selector.getMatchLabels(), Map.of());
        for (Map.Entry<String, String> entry : required.entrySet()) {
            if (!entry.getValue().equals(labels.get(entry.getKey()))) {
                return false;
            }
        }
        for (LabelSelectorRequirement requirement : Objects.requireNonNullElse(selector.getMatchExpressions(),
                List.<LabelSelectorRequirement>of())) {
            String value = labels.get(requirement.getKey());
            boolean ok = switch (requirement.getOperator()) {
                case "In" -> value != null && requirement.getValues().contains(value);
                case "NotIn" -> value == null || !requirement.getValues().contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator " + requirement.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean selects(NetworkPolicy policy, Map<String, String> podLabels, String type) {
        List<String> types = policy.getSpec().getPolicyTypes();
        boolean ofType = types == null || types.isEmpty() ? type.equals("Ingress") : types.contains(type);
        return ofType && matches(policy.getSpec().getPodSelector(), podLabels);
    }

    private static boolean ingress(List<NetworkPolicy> policies, Map<String, String> podLabels,
            List<ContainerPort> podPorts, int port, Peer from) {
        List<NetworkPolicy> selecting = policies.stream().filter(p -> selects(p, podLabels, "Ingress")).toList();
        if (selecting.isEmpty()) {
            return true;
        }
        return selecting.stream().flatMap(p -> p.getSpec().getIngress().stream())
                .anyMatch(rule -> portMatches(rule.getPorts(), port, "TCP", podPorts)
                        && peerMatches(rule.getFrom(), from));
    }

    private static boolean egressTo(List<NetworkPolicy> policies, Map<String, String> podLabels, Peer to, int port,
            String protocol) {
        List<NetworkPolicy> selecting = policies.stream().filter(p -> selects(p, podLabels, "Egress")).toList();
        if (selecting.isEmpty()) {
            return true;
        }
        return selecting.stream().flatMap(p -> p.getSpec().getEgress().stream())
                .anyMatch(rule -> portMatches(rule.getPorts(), port, protocol, List.of()) && peerMatches(rule.getTo(), to));
    }

    private static boolean egressTo(List<NetworkPolicy> policies, Map<String, String> podLabels, String address,
            int port) {
        List<NetworkPolicy> selecting = policies.stream().filter(p -> selects(p, podLabels, "Egress")).toList();
        if (selecting.isEmpty()) {
            return true;
        }
        return selecting.stream().flatMap(p -> p.getSpec().getEgress().stream())
                .anyMatch(rule -> portMatches(rule.getPorts(), port, "TCP", List.of())
                        && (rule.getTo() == null || rule.getTo().isEmpty()
                        || rule.getTo().stream().anyMatch(peer -> contains(peer.getIpBlock(), address))));
    }

    private static boolean peerMatches(List<NetworkPolicyPeer> peers, Peer peer) {
        if (peers == null || peers.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPeer candidate : peers) {
            if (candidate.getIpBlock() != null) {
                continue;
            }
            boolean namespace = candidate.getNamespaceSelector() == null
                    ? peer.namespace().equals(WINCH)
                    : matches(candidate.getNamespaceSelector(), peer.namespace());
            boolean pod = candidate.getPodSelector() == null || matches(candidate.getPodSelector(), peer.labels());
            if (namespace && pod) {
                return true;
            }
        }
        return false;
    }

    private static boolean portMatches(List<NetworkPolicyPort> ports, int port, String protocol,
            List<ContainerPort> podPorts) {
        if (ports == null || ports.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort candidate : ports) {
            if (!Objects.requireNonNullElse(candidate.getProtocol(), "TCP").equals(protocol)) {
                continue;
            }
            IntOrString value = candidate.getPort();
            if (value == null) {
                return true;
            }
            Optional<Integer> number = value.getIntVal() != null ? Optional.of(value.getIntVal())
                    : podPorts.stream().filter(p -> value.getStrVal().equals(p.getName()))
                    .map(ContainerPort::getContainerPort).findFirst();
            if (number.isPresent() && number.get() == port) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(IPBlock block, String address) {
        if (block == null) {
            return false;
        }
        try {
            String[] cidr = block.getCidr().split("/");
            byte[] network = InetAddress.getByName(cidr[0]).getAddress();
            byte[] host = InetAddress.getByName(address).getAddress();
            if (network.length != host.length) {
                return false;
            }
            int bits = network.length * 8;
            int prefix = Integer.parseInt(cidr[1]);
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                    .shiftRight(prefix).not().and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
            boolean inside = new BigInteger(1, network).and(mask).equals(new BigInteger(1, host).and(mask));
            List<String> except = Objects.requireNonNullElse(block.getExcept(), List.of());
            return inside && except.stream().noneMatch(e -> contains(new IPBlock(e, List.of()), address));
        } catch (UnknownHostException e) {
            throw new AssertionError("not an address: " + e.getMessage(), e);
        }
    }

    private static int port(List<ContainerPort> ports, String name) {
        return ports.stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("no container port " + name));
    }
}
