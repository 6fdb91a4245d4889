package dev.winch.host.provider.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.host.model.Host;
import dev.winch.host.model.HostState;
import dev.winch.host.model.Provider;
import dev.winch.host.provider.HostProvider.CloneOutcome;
import dev.winch.host.provider.HostProvider.CloneRequest;
import dev.winch.host.provider.HostProvider.RemoveOutcome;
import dev.winch.host.provider.HostProvider.RemoveRequest;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The exec provider's use of its runner: what the command gets, and what its answers become. */
class ExecProviderTest {

    private static final List<String> COMMAND = List.of("/opt/hosts/provision", "--region", "eu");
    private static final String NASTY = "$(rm -rf /);`reboot`|&>x 'q\"";
    private static final Host TEMPLATE = new Host("workers-1", Map.of("pool", NASTY), Instant.EPOCH,
            HostState.ACTIVE, Provider.EXEC, Optional.empty(), Optional.empty(), "");

    /** Records every request and answers with {@code answer}. */
    private static final class FakeRunner implements ExecRunner {
        final List<Request> requests = new ArrayList<>();
        final Function<Request, Result> answer;

        FakeRunner(Function<Request, Result> answer) {
            this.answer = answer;
        }

        @Override
        public Future<Result> run(Request request) {
            requests.add(request);
            return Future.succeededFuture(answer.apply(request));
        }
    }

    private static ExecProvider provider(FakeRunner runner) {
        return new ExecProvider(runner, COMMAND, Duration.ofSeconds(30),
                (node, group) -> Future.succeededFuture(Optional.of("{\"name\":\"" + node + "\"}")));
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void createsEachCloneWithTheCommandAsConfiguredAndTheFactsInTheEnvironment() throws Exception {
        FakeRunner runner = new FakeRunner(r -> new ExecRunner.Result(0, "created " + r.environment()
                .get(ExecProvider.HOST_NAME), false, Duration.ofSeconds(1)));

        CloneOutcome outcome = await(provider(runner).clone(new CloneRequest("evt-1", "pool=" + NASTY, TEMPLATE,
                List.of("workers-aaaaaa", "workers-bbbbbb"), 2)));

        assertThat(outcome.made()).isEqualTo(2);
        assertThat(outcome.names()).containsExactly("workers-aaaaaa", "workers-bbbbbb");
        assertThat(outcome.failure()).isEmpty();
        assertThat(runner.requests).hasSize(2).allSatisfy(r -> {
            // the arguments are exactly the configured ones: nothing from labels, names or the group
            assertThat(r.command()).isEqualTo(COMMAND);
            assertThat(r.stdin()).isEqualTo("{\"name\":\"workers-1\"}");
            assertThat(r.environment()).containsEntry("WINCH_ACTION", "create")
                    .containsEntry("WINCH_EVENT_ID", "evt-1")
                    .containsEntry("WINCH_GROUP", "pool=" + NASTY)
                    .containsEntry("WINCH_TEMPLATE_NODE", "workers-1");
            assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(30));
        });
        assertThat(runner.requests).extracting(r -> r.environment().get("WINCH_HOST_NAME"))
                .containsExactly("workers-aaaaaa", "workers-bbbbbb");
        assertThat(outcome.details()).containsEntry("exec.workers-aaaaaa", "exited 0: created workers-aaaaaa");
    }

    @Test
    void stopsAtTheFirstFailureAndSaysWhy() throws Exception {
        FakeRunner runner = new FakeRunner(r -> r.environment().get("WINCH_HOST_NAME").endsWith("b")
                ? new ExecRunner.Result(3, "quota exceeded", false, Duration.ofSeconds(1))
                : new ExecRunner.Result(0, "ok", false, Duration.ofSeconds(1)));

        CloneOutcome outcome = await(provider(runner).clone(new CloneRequest("evt-1", "g", TEMPLATE,
                List.of("h-a", "h-b", "h-c"), 3)));

        assertThat(outcome.made()).isEqualTo(1);
        assertThat(outcome.failure()).contains("creating h-b exited 3: quota exceeded");
        assertThat(runner.requests).hasSize(2);
    }

    @Test
    void aTimeoutIsAFailure() throws Exception {
        FakeRunner runner = new FakeRunner(r -> new ExecRunner.Result(-1, "waiting for ssh", true,
                Duration.ofSeconds(30)));

        CloneOutcome outcome = await(provider(runner).clone(new CloneRequest("evt-1", "g", TEMPLATE,
                List.of("h-a"), 1)));

        assertThat(outcome.made()).isZero();
        assertThat(outcome.failure()).contains("creating h-a timed out after 30s: waiting for ssh");
    }

    @Test
    void namesTheTimeoutAsConfigured() {
        assertThat(ExecProvider.text(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(ExecProvider.text(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(ExecProvider.text(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void removesEachHostWithTheDeleteAction() throws Exception {
        FakeRunner runner = new FakeRunner(r -> r.environment().get("WINCH_HOST_NAME").equals("h-2")
                ? new ExecRunner.Result(1, "no such instance", false, Duration.ZERO)
                : new ExecRunner.Result(0, "deleted", false, Duration.ZERO));
        Host h1 = new Host("h-1", Map.of(), Instant.EPOCH, HostState.ACTIVE, Provider.EXEC, null, null, "");
        Host h2 = new Host("h-2", Map.of(), Instant.EPOCH, HostState.ACTIVE, Provider.EXEC, null, null, "");

        RemoveOutcome outcome = await(provider(runner).remove(new RemoveRequest("evt-2", "g", List.of(h1, h2))));

        assertThat(outcome.removed()).containsExactly("h-1");
        assertThat(outcome.failed()).containsEntry("h-2", "deleting h-2 exited 1: no such instance");
        assertThat(outcome.details()).containsEntry("exec.h-1", "exited 0: deleted")
                .containsEntry("exec.h-2", "exited 1: no such instance");
        assertThat(runner.requests).allSatisfy(r -> assertThat(r.environment())
                .containsEntry("WINCH_ACTION", "delete").containsEntry("WINCH_EVENT_ID", "evt-2")
                .doesNotContainKey("WINCH_TEMPLATE_NODE"));
    }

    @Test
    void aCommandThatCannotStartIsAFailureNotACrash() throws Exception {
        ExecRunner broken = request -> Future.failedFuture(new java.io.IOException("No such file"));
        ExecProvider provider = new ExecProvider(broken, COMMAND, Duration.ofSeconds(1),
                (node, group) -> Future.succeededFuture(Optional.of("{}")));

        CloneOutcome outcome = await(provider.clone(new CloneRequest("e", "g", TEMPLATE, List.of("h-a"), 1)));

        assertThat(outcome.failure()).contains("the command for h-a could not be started: No such file");
    }
}
