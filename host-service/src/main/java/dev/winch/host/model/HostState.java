package dev.winch.host.model;

import java.util.List;

/**
 * The states of a host (a Node) as Rancher 1.x named them, in the order a scale-down removes them: every state but
 * {@link #ERROR} is counted in the group's size, and removal takes {@link #INACTIVE} hosts first, {@link #ACTIVE}
 * ones last. {@link #ERROR} hosts are never counted, cloned or chosen.
 */
public enum HostState {
    /** The provider says the machine failed (a Cluster API Machine in phase Failed, a host-error annotation). */
    ERROR,
    /** Cordoned ({@code spec.unschedulable}) by someone other than Winch. */
    INACTIVE,
    /** Being drained by Winch (annotated {@link HostAnnotations#DRAINING}). */
    DEACTIVATING,
    /** Its Ready condition is Unknown (or missing): the kubelet stopped reporting. */
    RECONNECTING,
    /** Its Ready condition is False. */
    DISCONNECTED,
    /** Ready and schedulable. */
    ACTIVE;

    /** The order in which a scale-down chooses hosts. */
    public static final List<HostState> REMOVAL_ORDER = List.of(INACTIVE, DEACTIVATING, RECONNECTING, DISCONNECTED,
            ACTIVE);

    /** The status of a Node's Ready condition. */
    public enum Readiness {
        TRUE, FALSE, UNKNOWN;

        /** {@code "True"}, {@code "False"}, anything else (or no condition at all) is Unknown. */
        public static Readiness of(String status) {
            if ("True".equals(status)) {
                return TRUE;
            }
            return "False".equals(status) ? FALSE : UNKNOWN;
        }
    }

    /**
     * A Node's state. The first rule that holds decides: the provider's failure, Winch's own drain, a cordon by
     * someone else, then the Ready condition. A Node Winch cordoned to drain is Deactivating, not Inactive (the
     * {@link HostAnnotations#DRAINING} annotation tells the two cordons apart), also while its drain is blocked.
     *
     * @param ready         the Ready condition's status
     * @param unschedulable {@code spec.unschedulable}
     * @param draining      annotated {@link HostAnnotations#DRAINING}
     * @param providerError the provider says the machine failed
     */
    public static HostState of(Readiness ready, boolean unschedulable, boolean draining, boolean providerError) {
        if (providerError) {
            return ERROR;
        }
        if (draining) {
            return DEACTIVATING;
        }
        if (unschedulable) {
            return INACTIVE;
        }
        return switch (ready) {
            case UNKNOWN -> RECONNECTING;
            case FALSE -> DISCONNECTED;
            case TRUE -> ACTIVE;
        };
    }

    /** Counted in the group's size (against min and max). */
    public boolean counted() {
        return this != ERROR;
    }

    /** The word used in the documentation and in results: {@code Inactive}, {@code Active}... */
    public String title() {
        String lower = name().toLowerCase(java.util.Locale.ROOT);
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }
}
