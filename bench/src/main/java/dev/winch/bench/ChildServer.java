package dev.winch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server under load running as a process of its own, its stdout and stderr redirected to a file (as a container
 * runtime stores a container's output). Stopped with SIGTERM, as {@code docker stop} does, and killed if it does
 * not exit in time.
 */
final class ChildServer implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final String name;
    private final Process process;
    private final int port;
    private final Path output;

    private ChildServer(String name, Process process, int port, Path output) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.output = output;
    }

    /**
     * Starts {@code command} with {@code environment} added to a copy of this process's environment from which
     * every {@code WINCH_*} and {@code KAFKA_*} variable was removed, so only what the benchmark sets applies.
     */
    static ChildServer start(String name, List<String> command, Map<String, String> environment, int port,
            Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("WINCH_") || key.startsWith("KAFKA_"));
        builder.environment().putAll(environment);
        return new ChildServer(name, builder.start(), port, output);
    }

    /** A port of 127.0.0.1 that was free a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Path output() {
        return output;
    }

    /** Waits until {@code url} answers 200 (a readiness endpoint). */
    ChildServer awaitReady(URI url) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            checkAlive();
            try {
                HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            waitOrFail(deadline);
        }
    }

    /** Waits until the server's port takes connections. */
    ChildServer awaitListening() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            checkAlive();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return this;
            } catch (IOException e) {
                waitOrFail(deadline);
            }
        }
    }

    private void waitOrFail(long deadline) throws Exception {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(name + " was not ready within " + READY_TIMEOUT.toSeconds() + " s; "
                    + "its output:\n" + tail());
        }
        Thread.sleep(200);
    }

    private void checkAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with status " + process.exitValue() + "; its output:\n"
                    + tail());
        }
    }

    /** The last lines of the server's output, for an error message. */
    String tail() throws IOException {
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** SIGTERM, then up to 60 s for a graceful exit, then SIGKILL. Problems are reported, not fatal. */
    void close(PrintStream progress) {
        if (!process.isAlive()) {
            progress.println("[bench] " + name + " had already exited with status " + process.exitValue());
            return;
        }
        try (InputStream ignored = process.getInputStream()) {
            process.getOutputStream().close();
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                progress.println("[bench] " + name + " did not stop within 60 s of SIGTERM: killed");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        close(System.err);
    }
}
