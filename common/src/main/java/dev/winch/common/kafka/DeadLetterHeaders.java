package dev.winch.common.kafka;

/** Headers a dead-lettered record carries, besides all its original headers. */
public final class DeadLetterHeaders {

    /** What every header a dead-letter write adds starts with. */
    public static final String PREFIX = "winch_dlq_";

    /** Why the record could not be processed, one line. */
    public static final String REASON = "winch_dlq_reason";
    /** The exception class of the last failure. */
    public static final String EXCEPTION = "winch_dlq_exception";
    /** How many times processing was tried. */
    public static final String ATTEMPTS = "winch_dlq_attempts";
    public static final String ORIGINAL_TOPIC = "winch_dlq_topic";
    public static final String ORIGINAL_PARTITION = "winch_dlq_partition";
    public static final String ORIGINAL_OFFSET = "winch_dlq_offset";
    /** The consumer group that gave up on it. */
    public static final String GROUP = "winch_dlq_group";
    /** The notifier channel that did not take it ({@code winch.notifications.dlq}). */
    public static final String CHANNEL = "winch_dlq_channel";
    /**
     * On a record put back on its topic from a dead-letter topic (the gateway's redrive), where it was:
     * {@code <dlq topic>/<partition>/<offset>}. The {@code winch_dlq_*} headers are not carried over.
     */
    public static final String REDRIVEN_FROM = "winch_redriven_from";

    private DeadLetterHeaders() {
    }
}
