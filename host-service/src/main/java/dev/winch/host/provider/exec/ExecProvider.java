package dev.winch.host.provider.exec;

import dev.winch.host.model.Host;
import dev.winch.host.model.Provider;
import dev.winch.host.provider.HostProvider;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The exec provider: one configured command ({@code WINCH_HOST_EXEC_COMMAND}, a list of arguments, never a shell
 * line) run once per host to create or delete. The command gets the host's description as JSON on stdin and
 * {@code WINCH_ACTION} ({@code create} or {@code delete}), {@code WINCH_EVENT_ID}, {@code WINCH_GROUP},
 * {@code WINCH_TEMPLATE_NODE} (create) and {@code WINCH_HOST_NAME} in its environment; nothing from a label or a
 * name ever reaches its arguments. Exit code 0 is success; its last output line is the result's reason.
 *
 * <p>A create that is carried out again (an event redelivered after a crash) asks for the same
 * {@code WINCH_HOST_NAME}: the command should treat a machine of that name that exists as made. Clones are made one
 * after the other and stop at the first failure: a command that fails once (bad credentials, quota) would most
 * likely fail again, and {@code amount} timeouts in a row would hold the group for that long.
 */
public final class ExecProvider implements HostProvider {

    public static final String ACTION = "WINCH_ACTION";
    public static final String EVENT_ID = "WINCH_EVENT_ID";
    public static final String GROUP = "WINCH_GROUP";
    public static final String TEMPLATE_NODE = "WINCH_TEMPLATE_NODE";
    public static final String HOST_NAME = "WINCH_HOST_NAME";

    /** The JSON description of a Node, for the command's stdin ({@code HostGroups.describe}). */
    @FunctionalInterface
    public interface Describer {
        Future<Optional<String>> describe(String node, String group);
    }

    private final ExecRunner runner;
    private final List<String> command;
    private final Duration timeout;
    private final Describer describer;

    public ExecProvider(ExecRunner runner, List<String> command, Duration timeout, Describer describer) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.command = List.copyOf(command);
        if (this.command.isEmpty()) {
            throw new IllegalArgumentException("the exec provider needs a command");
        }
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.describer = Objects.requireNonNull(describer, "describer");
    }

    @Override
    public Provider kind() {
        return Provider.EXEC;
    }

    @Override
    public Future<CloneOutcome> clone(CloneRequest request) {
        Host template = request.template();
        return describer.describe(template.name(), request.group()).compose(description -> {
            if (description.isEmpty()) {
                return Future.succeededFuture(new CloneOutcome(0, List.of(), false,
                        Optional.of("the template host " + template.name() + " is gone"), Map.of()));
            }
            return create(request, description.get(), 0, new ArrayList<>(), new LinkedHashMap<>());
        });
    }

    private Future<CloneOutcome> create(CloneRequest request, String description, int index, List<String> made,
            Map<String, String> details) {
        if (index >= request.names().size()) {
            return Future.succeededFuture(new CloneOutcome(made.size(), made, false, Optional.empty(), details));
        }
        String name = request.names().get(index);
        Map<String, String> environment = Map.of(ACTION, "create", EVENT_ID, request.eventId(), GROUP,
                request.group(), TEMPLATE_NODE, request.template().name(), HOST_NAME, name);
        return runner.run(new ExecRunner.Request(command, description, environment, timeout)).compose(result -> {
            details.put("exec." + name, describe(result));
            if (!result.succeeded()) {
                return Future.succeededFuture(new CloneOutcome(made.size(), made, false,
                        Optional.of("creating " + name + " " + describe(result)), details));
            }
            made.add(name);
            return create(request, description, index + 1, made, details);
        }, error -> Future.succeededFuture(new CloneOutcome(made.size(), made, false,
                Optional.of("the command for " + name + " could not be started: " + error.getMessage()),
                details)));
    }

    @Override
    public Future<RemoveOutcome> remove(RemoveRequest request) {
        Future<RemoveOutcome> chain = Future.succeededFuture(new RemoveOutcome(List.of(), Map.of(), Map.of()));
        for (Host host : request.hosts()) {
            chain = chain.compose(sofar -> delete(request, host).map(deleted -> {
                List<String> removed = new ArrayList<>(sofar.removed());
                Map<String, String> failed = new LinkedHashMap<>(sofar.failed());
                Map<String, String> details = new LinkedHashMap<>(sofar.details());
                deleted.said().ifPresent(said -> details.put("exec." + host.name(), said));
                deleted.failure().ifPresentOrElse(reason -> failed.put(host.name(), reason),
                        () -> removed.add(host.name()));
                return new RemoveOutcome(removed, failed, details);
            }));
        }
        return chain;
    }

    /** What one delete came to: what the command said ({@code exited 0: ...}), and why it failed, if it did. */
    private record Deleted(Optional<String> said, Optional<String> failure) {
    }

    private Future<Deleted> delete(RemoveRequest request, Host host) {
        return describer.describe(host.name(), request.group()).compose(description -> {
            Map<String, String> environment = Map.of(ACTION, "delete", EVENT_ID, request.eventId(), GROUP,
                    request.group(), HOST_NAME, host.name());
            return runner.run(new ExecRunner.Request(command, description.orElse("{\"name\":\"" + host.name()
                            .replace("\"", "") + "\"}"), environment, timeout))
                    .map(result -> {
                        String said = describe(result);
                        return new Deleted(Optional.of(said), result.succeeded() ? Optional.empty()
                                : Optional.of("deleting " + host.name() + " " + said));
                    });
        }).recover(error -> Future.succeededFuture(new Deleted(Optional.empty(), Optional.of("the command for "
                + host.name() + " could not be started: " + error.getMessage()))));
    }

    /** {@code exited 0: <last line>}, {@code timed out after 10m: <last line>}. */
    String describe(ExecRunner.Result result) {
        String head = result.timedOut() ? "timed out after " + text(timeout) : "exited " + result.exitCode();
        String line = result.lastLine() == null || result.lastLine().isBlank() ? "" : ": " + result.lastLine();
        return head + line;
    }

    /** The timeout as configured ({@code 10m}, {@code 30s}, {@code 1500ms}): what it was killed after. */
    static String text(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        return seconds % 60 != 0 || seconds == 0 ? seconds + "s" : seconds / 60 + "m";
    }
}
