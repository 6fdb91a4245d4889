package dev.winch.gateway.receiver;

import dev.winch.common.config.Secret;
import dev.winch.common.event.WorkloadRef;
import java.util.Objects;

/**
 * A receiver: a trigger URL ({@code POST /hooks/{id}}) and what a request to it does.
 *
 * @param token    the secret a sender must present; compared in constant time, never logged
 * @param redeploy for kind {@link Kind#REDEPLOY}: the workload and container the trigger URL must name
 */
public record Receiver(String id, String name, Kind kind, Secret token, Redeploy redeploy) {

    /** What a receiver does when triggered. */
    public enum Kind {
        /** The seed 001 hook: a registry push upgrades the container named in the trigger URL. */
        REDEPLOY
    }

    public Receiver {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(token, "token");
        if (kind == Kind.REDEPLOY) {
            Objects.requireNonNull(redeploy, "redeploy");
        }
    }

    /**
     * The seed 001 hook rule: the trigger URL's {@code ns}, {@code workload} and {@code container} must equal
     * these, as the adnanh/webhook {@code trigger-rule} of that seed demands.
     */
    public record Redeploy(WorkloadRef workload, String container) {

        public Redeploy {
            Objects.requireNonNull(workload, "workload");
            Objects.requireNonNull(container, "container");
        }
    }
}
