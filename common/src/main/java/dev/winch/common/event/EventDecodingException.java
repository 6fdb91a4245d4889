package dev.winch.common.event;

/** A record that is not a Winch CloudEvent this reader understands. Retrying cannot help: it is poison. */
public final class EventDecodingException extends Exception {

    /** Why a record could not be read. */
    public enum Reason {
        NOT_A_CLOUDEVENT, UNKNOWN_TYPE, UNSUPPORTED_CONTENT_TYPE, INVALID_DATA,
        /** A valid event of a type that belongs on another topic than the one it was read from. */
        WRONG_TOPIC
    }

    private final Reason reason;

    public EventDecodingException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
