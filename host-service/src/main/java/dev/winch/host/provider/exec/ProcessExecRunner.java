package dev.winch.host.provider.exec;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ExecRunner} on {@link ProcessBuilder}: the command list is the argument vector as given (no shell ever
 * sees it, so nothing in a label, a name or the JSON is interpreted), the environment is the service's own plus the
 * request's, stdin is written and closed.
 *
 * <p>stdout and stderr are read while the process runs, each on its own thread, so a process that writes a lot
 * never stalls on a full pipe; only the last {@value #TAIL_BYTES} bytes of each are kept. On timeout the process and
 * every process it started are sent SIGTERM, and after a grace period SIGKILL: the descendants are found before the
 * process is killed, while they are still its descendants (afterwards they belong to init and cannot be told apart).
 *
 * <p>The wait for the process runs on a worker pool of its own ({@value #POOL_SIZE} processes at a time, more wait
 * for a thread), so that long provider commands (creating a machine takes minutes) neither hold the service's
 * general worker pool nor trip Vert.x's blocked-thread warnings.
 */
public final class ProcessExecRunner implements ExecRunner {

    /** Output kept per stream: the last line is what counts, the rest only has to be read. */
    static final int TAIL_BYTES = 64 * 1024;
    /** The last line is a result's reason, not a log. */
    static final int MAX_LINE = 500;
    static final int POOL_SIZE = 8;
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    /**
     * After the process exited, how long its output may still take to arrive. A process it left running in the
     * background may hold the pipes open for ever; its output after this is not waited for.
     */
    private static final Duration OUTPUT_AFTER_EXIT = Duration.ofSeconds(2);

    private static final AtomicInteger THREADS = new AtomicInteger();
    /** stdin writers and stdout/stderr readers: three short-lived threads per process, none left when idle. */
    private static final ExecutorService IO = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "winch-exec-io-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private final WorkerExecutor workers;
    private final Duration grace;

    public ProcessExecRunner(Vertx vertx) {
        this(vertx, DEFAULT_GRACE);
    }

    ProcessExecRunner(Vertx vertx, Duration grace) {
        // The blocked-thread check would warn about every provider command longer than a minute: waiting for the
        // process is this pool's whole job, and the request's timeout bounds it.
        this.workers = vertx.createSharedWorkerExecutor("winch-exec", POOL_SIZE, 1, TimeUnit.DAYS);
        this.grace = Objects.requireNonNull(grace, "grace");
    }

    @Override
    public Future<Result> run(Request request) {
        return workers.executeBlocking(() -> runBlocking(request), false);
    }

    private Result runBlocking(Request request) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(request.command());
        builder.environment().putAll(request.environment());
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ExecStartException("cannot start " + request.command().get(0) + ": " + reason(e), e);
        }
        Tail stdout = new Tail();
        Tail stderr = new Tail();
        CompletableFuture.runAsync(() -> write(process.getOutputStream(), request.stdin()), IO);
        CompletableFuture<Void> output = CompletableFuture.allOf(
                CompletableFuture.runAsync(() -> stdout.readAll(process.getInputStream()), IO),
                CompletableFuture.runAsync(() -> stderr.readAll(process.getErrorStream()), IO));

        boolean exited;
        try {
            exited = process.waitFor(request.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // The service is shutting down: the process must not outlive the wait for it.
            destroyTree(process);
            throw e;
        }
        if (!exited) {
            destroyTree(process);
        }
        try {
            output.get(OUTPUT_AFTER_EXIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillOpen) {
            // Something the process started still holds its stdout or stderr: what arrived so far has to do.
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String lastLine = lastLine(stdout.text());
        if (lastLine.isEmpty()) {
            lastLine = lastLine(stderr.text());
        }
        return new Result(exited ? process.exitValue() : -1, lastLine, !exited, took);
    }

    /**
     * SIGTERM to the process and its descendants, SIGKILL to those still there after the grace period. The process
     * goes first, so that its children, orphaned, are reaped by init as soon as they exit.
     */
    private void destroyTree(Process process) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        tree.addAll(process.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        // Polled rather than onExit(): for a process that is not the JVM's own child that polls with a backoff
        // growing to seconds.
        long deadline = System.nanoTime() + grace.toNanos();
        while (tree.stream().anyMatch(ProcessExecRunner::running) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        tree.stream().filter(ProcessExecRunner::running).forEach(ProcessHandle::destroyForcibly);
        process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Alive and not a zombie. An orphaned descendant that exited stays a zombie until init reaps it, which some
     * init processes do lazily; {@link ProcessHandle#isAlive} counts it alive, but it runs nothing. Linux only
     * (elsewhere, {@code isAlive}).
     */
    static boolean running(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'.
            String afterName = stat.substring(stat.lastIndexOf(')') + 1).strip();
            return !afterName.startsWith("Z") && !afterName.startsWith("X");
        } catch (IOException | RuntimeException noProcFs) {
            return handle.isAlive();
        }
    }

    /** Writes {@code text} and closes: a process that exits without reading all of it is not an error. */
    private static void write(OutputStream stdin, String text) {
        try (stdin) {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException closedByProcess) {
            // Broken pipe: the process did not want (all of) it.
        }
    }

    /** The last non-blank line, trimmed, at most {@value #MAX_LINE} characters; "" when there is none. */
    static String lastLine(String output) {
        String[] lines = output.split("\\R");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (!line.isEmpty()) {
                return line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE - 1) + "…";
            }
        }
        return "";
    }

    private static String reason(IOException e) {
        // "Cannot run program "x": error=2, No such file or directory" -> the part after the program.
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = cause.getMessage();
        return message == null ? e.toString() : message.replaceFirst("^error=\\d+, ", "");
    }

    /** The command could not be started at all (no such program, not executable). */
    public static final class ExecStartException extends IOException {
        ExecStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The last {@value #TAIL_BYTES} bytes read from a stream. */
    static final class Tail {

        private final byte[] ring = new byte[TAIL_BYTES];
        private long written;

        void readAll(InputStream stream) {
            byte[] buffer = new byte[8192];
            try (stream) {
                for (int read; (read = stream.read(buffer)) >= 0; ) {
                    append(buffer, read);
                }
            } catch (IOException closed) {
                // The stream was closed under the reader: keep what was read.
            }
        }

        synchronized void append(byte[] bytes, int length) {
            for (int i = 0; i < length; i++) {
                ring[(int) (written++ % TAIL_BYTES)] = bytes[i];
            }
        }

        synchronized String text() {
            int size = (int) Math.min(written, TAIL_BYTES);
            byte[] ordered = new byte[size];
            int start = (int) ((written - size) % TAIL_BYTES);
            for (int i = 0; i < size; i++) {
                ordered[i] = ring[(start + i) % TAIL_BYTES];
            }
            return new String(ordered, StandardCharsets.UTF_8);
        }
    }
}
