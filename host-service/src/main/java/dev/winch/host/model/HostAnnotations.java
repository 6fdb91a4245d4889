package dev.winch.host.model;

/** The annotations Winch writes on Nodes it is removing. */
public final class HostAnnotations {

    /** On a Node Winch cordoned to remove it; the value is the id of the event that chose it. */
    public static final String DRAINING = "winch.dev/draining";
    /** On a Node whose drain timed out; the value names the pods that blocked it and why. */
    public static final String DRAIN_BLOCKED = "winch.dev/drain-blocked";

    private HostAnnotations() {
    }
}
