package dev.winch.common.kafka;

/**
 * A record that no retry can help with (its data is invalid for this worker). The consumer sends it to the
 * dead-letter topic at once instead of retrying.
 */
public final class PermanentFailure extends RuntimeException {

    public PermanentFailure(String message) {
        super(message);
    }

    public PermanentFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
