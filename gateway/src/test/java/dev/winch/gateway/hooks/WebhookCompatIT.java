package dev.winch.gateway.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.gateway.hooks.WebhookCases.Case;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs webhook itself (Debian's {@code webhook} package, 2.8) against the recorded cases and checks it still gives
 * the outcomes {@link WebhookCompatTest} holds Winch to. Skipped where the tool is not installed, as on CI.
 */
class WebhookCompatIT {

    private static final String NOT_SATISFIED = "Hook rules were not satisfied.";
    private static final String EVALUATION_ERROR = "Error occurred while evaluating hook rules.";
    private static final String NOT_FOUND = "Hook not found.";

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> webhookStillAnswersAsRecorded() throws IOException, InterruptedException {
        Optional<Path> tool = onPath("webhook");
        Assumptions.assumeTrue(tool.isPresent(),
                "webhook is not on PATH (apt-get install webhook): the recorded outcomes are not re-checked");
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, List<Case>> file : WebhookCases.byFile(WebhookCases.all()).entrySet()) {
            Map<Case, String> answers = answers(tool.get(), file.getKey(), file.getValue());
            for (Case c : file.getValue()) {
                tests.add(DynamicTest.dynamicTest(c.toString(),
                        () -> assertThat(answers.get(c)).as(c.toString()).isEqualTo(c.tool())));
            }
        }
        return tests.stream();
    }

    /** Starts the tool on one hooks file, sends it every case of that file, stops it. */
    private Map<Case, String> answers(Path tool, String file, List<Case> cases)
            throws IOException, InterruptedException {
        Path hooks = dir.resolve(file);
        Files.write(hooks, WebhookCases.file(file));
        int port = freePort();
        Process webhook = new ProcessBuilder(tool.toString(), "-hooks", hooks.toString(), "-ip", "127.0.0.1",
                "-port", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(dir.resolve(file + ".log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !webhook.isAlive() || listening(port));
            Map<Case, String> answers = new java.util.HashMap<>();
            for (Case c : cases) {
                answers.put(c, webhook.isAlive() ? send(port, c) : WebhookCases.NOT_SERVED);
            }
            return answers;
        } finally {
            webhook.destroy();
            webhook.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** One request from the case's loopback address, written by hand so the query goes out exactly as recorded. */
    private static String send(int port, Case c) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(c.remote(), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            byte[] body = c.body().getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder()
                    .append(c.method()).append(" /hooks/").append(c.hook())
                    .append(c.query().isEmpty() ? "" : "?" + c.query()).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Connection: close\r\nContent-Length: ").append(body.length).append("\r\n");
            c.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            return outcome(readAll(socket.getInputStream()));
        }
    }

    private static String outcome(String response) {
        int status = Integer.parseInt(response.substring(9, 12));
        String body = response.substring(response.indexOf("\r\n\r\n") + 4).strip();
        if (body.contains(NOT_FOUND)) {
            return WebhookCases.NOT_SERVED;
        }
        if (body.contains(NOT_SATISFIED)) {
            return WebhookCases.NOT_MATCHED;
        }
        if (body.contains(EVALUATION_ERROR)) {
            return WebhookCases.ERROR;
        }
        return status == 200 ? WebhookCases.MATCHED : "other: " + status + " " + body;
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator)).map(d -> Path.of(d, command))
                .filter(Files::isExecutable).findFirst();
    }
}
