package dev.winch.host;

import dev.winch.host.provider.exec.ExecRunner;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** An {@link ExecRunner} for tests: records each run, calls {@code effect} (e.g. the Node joining), answers 0. */
final class FakeRunner implements ExecRunner {

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Consumer<Request> effect;

    FakeRunner(Consumer<Request> effect) {
        this.effect = effect;
    }

    FakeRunner() {
        this(request -> {
        });
    }

    @Override
    public Future<Result> run(Request request) {
        requests.add(request);
        effect.accept(request);
        return Future.succeededFuture(new Result(0, "done " + request.environment().get("WINCH_HOST_NAME"), false,
                Duration.ofMillis(5)));
    }

    List<String> hostNames(String action) {
        return requests.stream().filter(r -> action.equals(r.environment().get("WINCH_ACTION")))
                .map(r -> r.environment().get("WINCH_HOST_NAME")).toList();
    }
}
