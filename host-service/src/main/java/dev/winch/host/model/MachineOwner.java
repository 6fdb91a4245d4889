package dev.winch.host.model;

import java.util.Objects;

/**
 * The Cluster API object whose replica count makes and removes a host's Machine: its MachineDeployment, or its
 * MachineSet when no MachineDeployment owns that.
 *
 * @param kind {@code MachineDeployment} or {@code MachineSet}
 */
public record MachineOwner(String namespace, String kind, String name) {

    public static final String MACHINE_DEPLOYMENT = "MachineDeployment";
    public static final String MACHINE_SET = "MachineSet";

    public MachineOwner {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        if (!MACHINE_DEPLOYMENT.equals(kind) && !MACHINE_SET.equals(kind)) {
            throw new IllegalArgumentException("a machine owner is a MachineDeployment or a MachineSet, got " + kind);
        }
    }

    /** {@code namespace/MachineDeployment/name}. */
    public String key() {
        return namespace + "/" + kind + "/" + name;
    }

    @Override
    public String toString() {
        return key();
    }
}
