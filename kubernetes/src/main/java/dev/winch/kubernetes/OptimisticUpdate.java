package dev.winch.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import java.util.function.Function;

/**
 * Read, plan, write with the resourceVersion read, and on 409 read again and plan again, a bounded number of times:
 * the one way the workers change an object someone else may be changing too (an HPA, kubectl, another replica).
 * Blocking: call it on the worker pool.
 *
 * <p>The write is a full update (PUT) carrying the resourceVersion of the read the plan was made from. It is the
 * conditional write that behaves the same on a real API server and on the fabric8 mock server (both answer 409
 * when the object moved on); merge patches of lists and strategic merge patches do not (see DESIGN.md).
 *
 * <p>Answers with an {@link UpdateResult}: written, nothing to write, conflicts on every attempt, gone, rejected.
 * Any other failure (unreachable, 5xx, 401/403, a timeout) is thrown as the client threw it: it says nothing about
 * the object, and the caller's retry (the consumer's backoff) is what helps.
 */
public final class OptimisticUpdate {

    /** Writes tried before a run of conflicts is left to a later retry. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    /**
     * What a plan decided for the object as read.
     *
     * @param <T> the object
     * @param <D> the decision, returned in the {@link UpdateResult}
     */
    public sealed interface Decision<T, D> {

        D decision();

        /** Write {@code changed} (the copy the plan was given, changed, or a new object of the same name). */
        static <T, D> Decision<T, D> write(T changed, D decision) {
            return new Write<>(changed, decision);
        }

        /** Nothing to write, because of {@code decision}. */
        static <T, D> Decision<T, D> nothing(D decision) {
            return new Nothing<>(decision);
        }

        record Write<T, D>(T changed, D decision) implements Decision<T, D> {
            public Write {
                Objects.requireNonNull(changed, "changed");
            }
        }

        record Nothing<T, D>(D decision) implements Decision<T, D> {
        }
    }

    private final KubernetesClient client;
    private final int maxAttempts;

    public OptimisticUpdate(KubernetesClient client) {
        this(client, DEFAULT_MAX_ATTEMPTS);
    }

    public OptimisticUpdate(KubernetesClient client, int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("at least one attempt, got " + maxAttempts);
        }
        this.client = Objects.requireNonNull(client, "client");
        this.maxAttempts = maxAttempts;
    }

    /**
     * Plans from {@code read} and writes what the plan says; on a conflict reads the object again and plans again.
     * The plan gets a copy of the object each time (the caller's {@code read} is never changed) and must not do
     * I/O: it may run up to the maximum number of attempts.
     */
    public <T extends HasMetadata, D> UpdateResult<T, D> update(T read, Function<T, Decision<T, D>> plan) {
        T current = read;
        for (int attempt = 1; ; attempt++) {
            String resourceVersion = current.getMetadata().getResourceVersion();
            Decision<T, D> decision = plan.apply(client.getKubernetesSerialization().clone(current));
            if (decision instanceof Decision.Nothing<T, D> nothing) {
                return new UpdateResult.Unchanged<>(nothing.decision(), attempt - 1);
            }
            T changed = ((Decision.Write<T, D>) decision).changed();
            changed.getMetadata().setResourceVersion(resourceVersion);
            try {
                return new UpdateResult.Written<>(client.resource(changed).update(), decision.decision(), attempt);
            } catch (KubernetesClientException e) {
                switch (e.getCode()) {
                    case 409 -> {
                        if (attempt >= maxAttempts) {
                            return new UpdateResult.Conflict<>(decision.decision(), attempt, message(e));
                        }
                        T again = client.resource(current).get();
                        if (again == null) {
                            return new UpdateResult.Gone<>(decision.decision(), attempt);
                        }
                        current = again;
                    }
                    case 404 -> {
                        return new UpdateResult.Gone<>(decision.decision(), attempt);
                    }
                    case 400, 422 -> {
                        return new UpdateResult.Rejected<>(decision.decision(), attempt, e.getCode(), message(e));
                    }
                    default -> throw e;
                }
            }
        }
    }

    /** The API server's own words when it sent a Status; fabric8's message (method, URL, code) otherwise. */
    private static String message(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage();
        }
        return e.getMessage();
    }
}
