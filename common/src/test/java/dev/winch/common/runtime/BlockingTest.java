package dev.winch.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A blocking call that outlives its timeout is cancelled and gives its pool thread back. */
class BlockingTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private Vertx vertx;
    private Blocking blocking;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        // One thread: a call left running would keep every later call waiting.
        blocking = new Blocking(vertx.createSharedWorkerExecutor("blocking-test", 1), TIMEOUT);
    }

    @AfterEach
    void stop() throws Exception {
        blocking.close().await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void interruptsACallThatSleepsPastItsTimeoutAndFreesItsThread() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        Future<Void> slow = blocking.run(() -> {
            try {
                Thread.sleep(Duration.ofMinutes(5).toMillis());
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });

        await().atMost(WAIT).until(slow::isComplete);
        assertThat(slow.failed()).isTrue();
        assertThat(interrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the sleeping call was interrupted")
                .isTrue();
        // The only pool thread runs the next call, and without the interrupt meant for the last one.
        Future<Boolean> next = blocking.call(() -> Thread.currentThread().isInterrupted());
        assertThat(next.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void neverStartsACallThatTimedOutWhileWaitingForAThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<Void> holder = blocking.run(() -> awaitUninterruptibly(release));
        AtomicBoolean ran = new AtomicBoolean();
        Future<Void> queued = blocking.run(() -> ran.set(true));

        await().atMost(WAIT).until(() -> queued.isComplete() && holder.isComplete());
        assertThat(queued.failed()).isTrue();
        release.countDown();
        assertThat(blocking.call(() -> "free").await(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("free");
        assertThat(ran).isFalse();
    }

    @Test
    void answersACallThatEndsInTime() throws Exception {
        assertThat(blocking.call(() -> 42).await(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
    }

    /** A call that ignores interrupts, so it holds the pool's thread until released. */
    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
