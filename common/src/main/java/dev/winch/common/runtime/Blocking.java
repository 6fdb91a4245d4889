package dev.winch.common.runtime;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The named, bounded worker pool for blocking calls (the fabric8 client, SMTP, files, processes), so the event
 * loop never blocks. Calls are unordered and each is bounded by a timeout.
 */
public final class Blocking {

    private final WorkerExecutor executor;
    private final Duration timeout;

    public Blocking(WorkerExecutor executor, Duration timeout) {
        this.executor = executor;
        this.timeout = timeout;
    }

    /** Runs {@code task} on the worker pool; fails with a timeout if it takes longer than the configured bound. */
    public <T> Future<T> call(Callable<T> task) {
        return executor.executeBlocking(task, false).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Future<Void> run(Runnable task) {
        return call(() -> {
            task.run();
            return null;
        });
    }

    Future<Void> close() {
        return executor.close();
    }
}
