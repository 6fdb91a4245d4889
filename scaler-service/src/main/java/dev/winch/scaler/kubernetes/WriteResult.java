package dev.winch.scaler.kubernetes;

/** What became of a write of a workload's replicas and annotations. */
public sealed interface WriteResult {

    /** Stored; {@code after} is the object as the API server returned it. */
    record Written(Workload after) implements WriteResult {
    }

    /** The workload changed since it was read (409): read it again and re-plan. */
    record Conflict(String message) implements WriteResult {
    }

    /** The workload is gone (404): deleted between the read and the write. */
    record Gone() implements WriteResult {
    }

    /** The API server refused the object as invalid (400, 422): retrying the same write cannot help. */
    record Rejected(int code, String message) implements WriteResult {
    }
}
