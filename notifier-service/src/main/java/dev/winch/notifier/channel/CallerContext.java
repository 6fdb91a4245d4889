package dev.winch.notifier.channel;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.RejectedExecutionException;

/**
 * Completes a channel's future on the context that called {@link Channel#send}, as the contract promises: the
 * HTTP and mail clients may complete on their own event loop, and the delivery side's bookkeeping (queues, rate
 * limits) must not be touched from two threads.
 */
public final class CallerContext {

    private CallerContext() {
    }

    /** A future completed with {@code future}'s outcome, on the context current now (unchanged when there is none). */
    public static <T> Future<T> keep(Future<T> future) {
        Context caller = Vertx.currentContext();
        if (caller == null) {
            return future;
        }
        Promise<T> promise = Promise.promise();
        future.onComplete(result -> {
            if (Vertx.currentContext() == caller) {
                promise.handle(result);
            } else {
                try {
                    caller.runOnContext(ignored -> promise.handle(result));
                } catch (RejectedExecutionException e) {
                    // The caller's Vert.x closed meanwhile (the notifier stopped): nobody waits for this answer.
                }
            }
        });
        return promise.future();
    }
}
