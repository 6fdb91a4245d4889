package dev.winch.host.provider.exec;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs the exec provider's command: arguments as a list (no shell, nothing interpolated), a JSON document on stdin,
 * extra environment variables, a timeout after which the process (and its children) are killed.
 */
public interface ExecRunner {

    /**
     * @param command     the program and its arguments, exactly as configured
     * @param stdin       written to the process's standard input, then closed
     * @param environment added to the service's own environment (WINCH_EVENT_ID, WINCH_GROUP, ...)
     */
    record Request(List<String> command, String stdin, Map<String, String> environment, Duration timeout) {
        public Request {
            command = List.copyOf(command);
            if (command.isEmpty()) {
                throw new IllegalArgumentException("no command");
            }
            Objects.requireNonNull(stdin, "stdin");
            environment = Map.copyOf(environment);
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /**
     * @param exitCode the process's exit code; -1 when it was killed on timeout or could not start
     * @param lastLine the last non-blank line it wrote to stdout (else stderr), trimmed and bounded in length: the
     *                 result's reason
     * @param timedOut killed because the timeout passed
     */
    record Result(int exitCode, String lastLine, boolean timedOut, Duration took) {
        public boolean succeeded() {
            return exitCode == 0 && !timedOut;
        }
    }

    /** Runs it on the worker pool; fails the future only when the process could not be started. */
    Future<Result> run(Request request);
}
