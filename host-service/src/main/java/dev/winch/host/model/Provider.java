package dev.winch.host.model;

/** Which provider makes and destroys a host's machine; decided from the Node itself. */
public enum Provider {
    /** A Cluster API Machine owned by a MachineSet (and usually a MachineDeployment). */
    CLUSTER_API("cluster-api"),
    /** The configured command; the Node carries label {@link HostLabels#PROVIDER}{@code =exec}. */
    EXEC("exec"),
    /** No provider: a host added by hand. Removable, never cloned. */
    CUSTOM("custom");

    private final String word;

    Provider(String word) {
        this.word = word;
    }

    /** As results and documentation write it. */
    public String word() {
        return word;
    }
}
