package dev.winch.host.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.winch.host.model.Host;
import dev.winch.host.model.HostAnnotations;
import dev.winch.host.model.HostGroup;
import dev.winch.host.model.HostLabels;
import dev.winch.host.model.HostState;
import dev.winch.host.model.HostState.Readiness;
import dev.winch.host.model.MachineOwner;
import dev.winch.host.model.Provider;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.kubernetes.LabelSelector;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads host groups: every Node carrying all of a selector's labels, each with its state and the provider that
 * manages it. Blocking (fabric8): call it on the worker pool.
 *
 * <p>Which provider manages a Node is decided from the Node itself: an annotation {@code cluster.x-k8s.io/machine}
 * naming a Machine that exists and is owned by a MachineSet → Cluster API (the owner being the MachineSet's
 * MachineDeployment, or the MachineSet when none owns it); the label {@code winch.dev/host-provider=exec} → the exec
 * provider; anything else → a custom host. The Machines, MachineSets and MachineDeployments are listed once per
 * namespace a group's Nodes name, not fetched one by one: a 500-Node group costs a handful of requests.
 */
public final class HostGroups {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final KubernetesClient client;

    public HostGroups(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** The group of Nodes carrying every label of {@code selector} (an empty value: the key only). */
    public HostGroup read(Map<String, String> selector) {
        List<Node> nodes = nodes(selector);
        CapiIndex capi = new CapiIndex();
        List<Host> hosts = new ArrayList<>();
        for (Node node : nodes) {
            hosts.add(host(node, capi));
        }
        int pending = 0;
        Set<String> ids = new LinkedHashSet<>();
        for (MachineOwner owner : hosts.stream().flatMap(h -> h.owner().stream()).distinct().toList()) {
            Optional<GenericKubernetesResource> object = capi.get(owner.kind(), owner.namespace(), owner.name());
            if (object.isEmpty()) {
                continue;
            }
            long members = hosts.stream().filter(h -> h.owner().filter(owner::equals).isPresent()).count();
            pending += (int) Math.max(0, ClusterApi.replicas(object.get()) - members);
            ids.addAll(AppliedEvents.ids(object.get().getMetadata().getAnnotations()));
        }
        return new HostGroup(key(selector), hosts, pending, ids);
    }

    /** The Nodes of a group and whether each is Ready, without their providers: what the join follow-up needs. */
    public Map<String, Boolean> readiness(Map<String, String> selector) {
        Map<String, Boolean> ready = new TreeMap<>();
        for (Node node : nodes(selector)) {
            ready.put(node.getMetadata().getName(), readiness(node) == Readiness.TRUE);
        }
        return ready;
    }

    /**
     * What the exec provider's command gets on stdin about the host it clones: the Node's name, labels,
     * annotations, taints, provider id, creation time, capacity and system info. Empty when the Node is gone.
     */
    public Optional<String> describe(String nodeName, String group) {
        Node node = client.nodes().withName(nodeName).get();
        if (node == null) {
            return Optional.empty();
        }
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("name", nodeName);
        description.put("group", group);
        description.put("labels", orEmpty(node.getMetadata().getLabels()));
        description.put("annotations", orEmpty(node.getMetadata().getAnnotations()));
        description.put("created", node.getMetadata().getCreationTimestamp());
        if (node.getSpec() != null) {
            description.put("providerID", node.getSpec().getProviderID());
            description.put("taints", node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints()
                    .stream().map(t -> Map.of("key", String.valueOf(t.getKey()), "value",
                            String.valueOf(t.getValue()), "effect", String.valueOf(t.getEffect()))).toList());
        }
        if (node.getStatus() != null) {
            Map<String, String> capacity = new TreeMap<>();
            if (node.getStatus().getCapacity() != null) {
                node.getStatus().getCapacity().forEach((k, v) -> capacity.put(k, v.toString()));
            }
            description.put("capacity", capacity);
            if (node.getStatus().getNodeInfo() != null) {
                var info = node.getStatus().getNodeInfo();
                description.put("nodeInfo", Map.of(
                        "architecture", String.valueOf(info.getArchitecture()),
                        "operatingSystem", String.valueOf(info.getOperatingSystem()),
                        "osImage", String.valueOf(info.getOsImage()),
                        "kubeletVersion", String.valueOf(info.getKubeletVersion()),
                        "containerRuntimeVersion", String.valueOf(info.getContainerRuntimeVersion())));
            }
        }
        try {
            return Optional.of(JSON.writeValueAsString(description));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a Node description is plain strings and maps", e);
        }
    }

    /** Deletes a Node; true when it was there. */
    public boolean deleteNode(String name) {
        return !client.nodes().withName(name).delete().isEmpty();
    }

    /** The canonical form of a selector, as the event's key: {@code k1=v1,k2=v2}, sorted. */
    public static String key(Map<String, String> selector) {
        return new TreeMap<>(selector).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(","));
    }

    private List<Node> nodes(Map<String, String> selector) {
        LabelSelector wanted = LabelSelector.ofReceiver(selector);
        var listing = client.nodes().withLabels(wanted.matchLabels());
        for (LabelSelector.Requirement requirement : wanted.matchExpressions()) {
            listing = listing.withLabel(requirement.key());
        }
        // checked again: a server or client that drops a term must not widen the group
        return listing.list().getItems().stream()
                .filter(node -> wanted.matches(node.getMetadata().getLabels()))
                .toList();
    }

    private static Host host(Node node, CapiIndex capi) {
        String name = node.getMetadata().getName();
        Map<String, String> labels = orEmpty(node.getMetadata().getLabels());
        Map<String, String> annotations = orEmpty(node.getMetadata().getAnnotations());
        Instant created = created(node);
        boolean unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        boolean draining = annotations.containsKey(HostAnnotations.DRAINING);
        String cause = annotations.getOrDefault(HostLabels.HOST_ERROR, "");
        boolean failed = annotations.containsKey(HostLabels.HOST_ERROR);

        String machineName = annotations.get(HostLabels.CAPI_MACHINE);
        if (machineName != null && !machineName.isBlank()) {
            String namespace = annotations.getOrDefault(HostLabels.CAPI_CLUSTER_NAMESPACE, "default");
            Optional<GenericKubernetesResource> machine = capi.get("Machine", namespace, machineName);
            Optional<MachineOwner> owner = machine.flatMap(m -> capi.owner(m, namespace));
            if (owner.isPresent()) {
                Optional<String> phase = ClusterApi.status(machine.get(), "phase");
                Optional<String> failure = ClusterApi.status(machine.get(), "failureReason");
                if (phase.filter("Failed"::equals).isPresent() || failure.isPresent()) {
                    failed = true;
                    cause = "Machine " + namespace + "/" + machineName + " failed"
                            + ClusterApi.status(machine.get(), "failureMessage").map(m -> ": " + m)
                                    .orElse(failure.map(f -> ": " + f).orElse(""));
                }
                HostState state = HostState.of(readiness(node), unschedulable, draining, failed);
                return new Host(name, labels, created, state, Provider.CLUSTER_API,
                        Optional.of(namespace + "/" + machineName), owner, cause);
            }
            cause = machine.isEmpty() ? "its Machine " + namespace + "/" + machineName + " does not exist"
                    : "its Machine " + namespace + "/" + machineName + " has no MachineSet";
            HostState state = HostState.of(readiness(node), unschedulable, draining, failed);
            return new Host(name, labels, created, state, Provider.CUSTOM, Optional.empty(), Optional.empty(),
                    cause);
        }
        Provider provider = HostLabels.EXEC.equals(labels.get(HostLabels.PROVIDER)) ? Provider.EXEC
                : Provider.CUSTOM;
        return new Host(name, labels, created, HostState.of(readiness(node), unschedulable, draining, failed),
                provider, Optional.empty(), Optional.empty(), cause);
    }

    private static Readiness readiness(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return Readiness.UNKNOWN;
        }
        return node.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus)
                .map(Readiness::of)
                .findFirst()
                .orElse(Readiness.UNKNOWN);
    }

    private static Instant created(Node node) {
        String timestamp = node.getMetadata().getCreationTimestamp();
        if (timestamp == null) {
            // the API server always sets it; a Node without one sorts as the newest, never picked as the oldest
            return Instant.MAX;
        }
        return Instant.parse(timestamp);
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }

    /** The Cluster API objects of the namespaces a group names, listed once per namespace and kind. */
    private final class CapiIndex {
        private final Map<String, Map<String, GenericKubernetesResource>> byKindAndNamespace = new HashMap<>();

        Optional<GenericKubernetesResource> get(String kind, String namespace, String name) {
            return Optional.ofNullable(byKindAndNamespace.computeIfAbsent(kind + "/" + namespace, k -> {
                Map<String, GenericKubernetesResource> objects = new HashMap<>();
                ClusterApi.resources(client, kind).inNamespace(namespace).list().getItems()
                        .forEach(o -> objects.put(o.getMetadata().getName(), o));
                return objects;
            }).get(name));
        }

        Optional<MachineOwner> owner(GenericKubernetesResource machine, String namespace) {
            Optional<String> set = ClusterApi.owner(machine, "MachineSet");
            if (set.isEmpty()) {
                return Optional.empty();
            }
            Optional<GenericKubernetesResource> machineSet = get("MachineSet", namespace, set.get());
            Optional<String> deployment = machineSet.flatMap(ms -> ClusterApi.owner(ms, "MachineDeployment"));
            return Optional.of(deployment
                    .map(md -> new MachineOwner(namespace, MachineOwner.MACHINE_DEPLOYMENT, md))
                    .orElseGet(() -> new MachineOwner(namespace, MachineOwner.MACHINE_SET, set.get())));
        }
    }
}
