package dev.winch.host.provider.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.winch.host.provider.exec.ExecRunner.Request;
import dev.winch.host.provider.exec.ExecRunner.Result;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec provider's runner with real processes: POSIX shell scripts from {@code src/test/resources/exec}. */
class ProcessExecRunnerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static Vertx vertx;
    private static ProcessExecRunner runner;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        runner = new ProcessExecRunner(vertx, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void runsTheCommandWithTheDescriptionOnStdinAndReportsItsLastLine() throws Exception {
        Result result = result(runner.run(new Request(script("create-machine.sh"),
                "{\"name\":\"worker-1\",\"labels\":{\"winch.dev/group\":\"workers\"}}",
                Map.of("WINCH_EVENT_ID", "evt-42", "WINCH_GROUP", "workers", "WINCH_HOST_NAME", "worker-4"),
                TIMEOUT)));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.exitCode()).isZero();
        assertThat(result.timedOut()).isFalse();
        assertThat(result.lastLine()).isEqualTo("created worker-4 from worker-1 in group workers");
    }

    @Test
    void reportsANonZeroExitWithTheLastLineOfStderrWhenStdoutIsEmpty() throws Exception {
        Result result = result(runner.run(new Request(script("fail.sh"), "{}", Map.of(), TIMEOUT)));

        assertThat(result.succeeded()).isFalse();
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.timedOut()).isFalse();
        assertThat(result.lastLine()).isEqualTo("error: quota exceeded for instances in region eu-1");
    }

    @Test
    void killsTheProcessAndItsChildrenOnTimeout() throws Exception {
        Path pids = dir.resolve("pids");
        long started = System.nanoTime();

        Result result = result(runner.run(new Request(script("hang.sh", pids.toString()), "", Map.of(),
                Duration.ofMillis(500))));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.lastLine()).isEqualTo("waiting for the machine to boot");
        List<Long> processes = Arrays.stream(Files.readString(pids).trim().split(" ")).map(Long::parseLong).toList();
        assertThat(processes).hasSize(2);
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertThat(processes)
                .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessExecRunner::running).orElse(false))
                        .as("process %d running", pid).isFalse()));
    }

    @Test
    void passesAValueFullOfShellMetacharactersVerbatimAndRunsNothingInIt() throws Exception {
        Path canary = Files.writeString(dir.resolve("canary"), "still here");
        String hostile = "$(touch " + dir.resolve("pwned-1") + "); `touch " + dir.resolve("pwned-2") + "`; "
                + "rm -rf " + canary + " && touch " + dir.resolve("pwned-3") + " | \"' \\\" \\n\n"
                + "second line ${HOME} $WINCH_GROUP * ? [a] ~ > " + dir.resolve("pwned-4") + " 2>&1 &";
        Path argument = dir.resolve("argument");
        Path environment = dir.resolve("environment");
        Path stdin = dir.resolve("stdin");

        Result result = result(runner.run(new Request(
                script("record.sh", hostile, argument.toString(), environment.toString(), stdin.toString()),
                hostile, Map.of("WINCH_GROUP", hostile), TIMEOUT)));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.lastLine()).isEqualTo("recorded");
        assertThat(Files.readString(argument)).isEqualTo(hostile);
        assertThat(Files.readString(environment)).isEqualTo(hostile);
        assertThat(Files.readString(stdin)).isEqualTo(hostile);
        assertThat(canary).hasContent("still here");
        try (var files = Files.list(dir)) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("canary", "argument", "environment", "stdin");
        }
    }

    @Test
    void readsLargeOutputOnBothStreamsWithoutStalling() throws Exception {
        Result result = result(runner.run(new Request(script("loud.sh"), "", Map.of(), TIMEOUT)));

        assertThat(result.timedOut()).isFalse();
        assertThat(result.exitCode()).isZero();
        assertThat(result.lastLine()).isEqualTo("done after a lot of output");
    }

    @Test
    void failsWithTheProgramsNameWhenItCannotBeStarted() {
        Future<Result> run = runner.run(new Request(List.of("/nonexistent/winch-create-host", "--group", "w"), "{}",
                Map.of(), TIMEOUT));

        assertThatThrownBy(() -> result(run))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ProcessExecRunner.ExecStartException.class)
                .hasMessageContaining("/nonexistent/winch-create-host")
                .hasMessageContaining("No such file or directory");
    }

    @Test
    void keepsTheLastNonBlankLineTrimmedAndBounded() {
        assertThat(ProcessExecRunner.lastLine("first\n  second  \r\n\n \t\n")).isEqualTo("second");
        assertThat(ProcessExecRunner.lastLine("\n\n")).isEmpty();
        assertThat(ProcessExecRunner.lastLine("x".repeat(2000)))
                .hasSize(ProcessExecRunner.MAX_LINE)
                .endsWith("…");
    }

    @Test
    void keepsOnlyTheTailOfALongOutput() {
        ProcessExecRunner.Tail tail = new ProcessExecRunner.Tail();
        byte[] chunk = "0123456789".repeat(1000).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20; i++) {
            tail.append(chunk, chunk.length);
        }
        byte[] end = "\nthe end\n".getBytes(StandardCharsets.UTF_8);
        tail.append(end, end.length);

        String text = tail.text();

        assertThat(text).hasSize(ProcessExecRunner.TAIL_BYTES).endsWith("\nthe end\n");
    }

    /** {@code /bin/sh <script> <arguments...>}: the fixtures need no executable bit. */
    private static List<String> script(String name, String... arguments) throws URISyntaxException {
        List<String> command = new ArrayList<>();
        command.add("/bin/sh");
        command.add(Path.of(ProcessExecRunnerTest.class.getResource("/exec/" + name).toURI()).toString());
        command.addAll(List.of(arguments));
        return command;
    }

    private static Result result(Future<Result> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
