package dev.winch.common.runtime;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * The named, bounded worker pool for blocking calls (the fabric8 client, SMTP, files, processes), so the event
 * loop never blocks. Calls are unordered and each is bounded by a timeout.
 *
 * <p>A call that times out is cancelled, not left running: one still waiting for a thread never starts, one that
 * runs has its thread interrupted (blocking I/O, sleeps and waits give up), so a stuck dependency cannot hold the
 * bounded pool's threads after the callers have been told it failed.
 */
public final class Blocking {

    private final WorkerExecutor executor;
    private final Duration timeout;

    public Blocking(WorkerExecutor executor, Duration timeout) {
        this.executor = executor;
        this.timeout = timeout;
    }

    /**
     * Runs {@code task} on the worker pool; fails with a timeout if it takes longer than the configured bound, and
     * then cancels it.
     */
    public <T> Future<T> call(Callable<T> task) {
        Cancellable<T> cancellable = new Cancellable<>(task);
        Future<T> running = executor.executeBlocking(cancellable, false);
        return running.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).onFailure(error -> {
            if (!running.isComplete()) {
                cancellable.cancel();
            }
        });
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

    /**
     * A task that can be cancelled before or while it runs. The runner and the cancelling thread meet under this
     * object's lock, so an interrupt reaches the task it was meant for and never a later task of the same thread.
     */
    private static final class Cancellable<T> implements Callable<T> {

        private final Callable<T> task;
        private Thread runner;
        private boolean cancelled;
        private boolean interrupted;

        Cancellable(Callable<T> task) {
            this.task = task;
        }

        @Override
        public T call() throws Exception {
            synchronized (this) {
                if (cancelled) {
                    throw new CancellationException("timed out before a worker thread was free");
                }
                runner = Thread.currentThread();
            }
            try {
                return task.call();
            } finally {
                synchronized (this) {
                    runner = null;
                    if (interrupted) {
                        // The pool thread goes back clean: the interrupt was for this task only.
                        Thread.interrupted();
                    }
                }
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (runner != null) {
                interrupted = true;
                runner.interrupt();
            }
        }
    }
}
