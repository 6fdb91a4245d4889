package dev.winch.host.model;

/**
 * The labels and annotations the host service reads on Nodes and Cluster API objects (what it writes while draining
 * is in {@link HostAnnotations}).
 */
public final class HostLabels {

    /**
     * Label on a Node made by the exec provider's command: {@code winch.dev/host-provider=exec}. The command gives
     * it to the hosts it creates (with the group's labels); an existing host can be handed to the exec provider by
     * labelling it. A Node without it, and without a Cluster API Machine, is a custom host.
     */
    public static final String PROVIDER = "winch.dev/host-provider";
    /** The value of {@link #PROVIDER} for the exec provider. */
    public static final String EXEC = "exec";
    /**
     * Annotation any tooling may put on a Node whose machine failed (the value says why): the host is in Error,
     * never counted, cloned or chosen.
     */
    public static final String HOST_ERROR = "winch.dev/host-error";

    /** Cluster API: on a Node, the name of its Machine. */
    public static final String CAPI_MACHINE = "cluster.x-k8s.io/machine";
    /** Cluster API: on a Node, the namespace of its Machine. */
    public static final String CAPI_CLUSTER_NAMESPACE = "cluster.x-k8s.io/cluster-namespace";
    /** Cluster API: on a Machine, asks its MachineSet to delete exactly it when replicas go down. */
    public static final String CAPI_DELETE_MACHINE = "cluster.x-k8s.io/delete-machine";

    private HostLabels() {
    }
}
