package dev.winch.notifier.channel;

import java.time.Duration;
import java.util.Objects;

/** How one attempt to send a notification went. */
public sealed interface Delivery {

    /** The remote end took it (a 2xx, and for APIs that answer 200 on failure, a body that says success). */
    record Delivered(int status) implements Delivery {
    }

    /**
     * Worth trying again: a timeout, a refused connection, a 5xx, a 429, an API's "too many requests" code.
     *
     * @param retryAfter what the remote end asked for ({@code Retry-After}), or null when it did not say
     */
    record Retry(String reason, Duration retryAfter) implements Delivery {
        public Retry {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The same message will never be taken (a 4xx other than 408/429, a bad token, a rejected body). */
    record Rejected(String reason) implements Delivery {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
