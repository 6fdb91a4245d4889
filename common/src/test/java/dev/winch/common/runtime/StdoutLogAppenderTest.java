package dev.winch.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The service log on stdout: every line, in order, promptly, and none dropped when the writer falls behind. */
class StdoutLogAppenderTest {

    private final PrintStream originalOut = System.out;
    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void captureStdout() {
        // A context of its own, not the tests' logging; one made by hand has no MDC until given one.
        context.setMDCAdapter(new LogbackMDCAdapter());
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStdout() {
        context.stop();
        System.setOut(originalOut);
    }

    private StdoutLogAppender appender(int capacity) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("[%thread] %kvp %msg%n");
        encoder.start();
        StdoutLogAppender appender = new StdoutLogAppender();
        appender.setContext(context);
        appender.setName("stdout");
        appender.setEncoder(encoder);
        appender.setCapacity(capacity);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        return appender;
    }

    private String output() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void writesEveryLineOfSeveralThreadsInTheOrderEachLoggedThem() throws Exception {
        StdoutLogAppender appender = appender(64);
        Logger log = context.getLogger("test");
        int threads = 4;
        int lines = 5_000;
        List<Thread> loggers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < lines; i++) {
                    log.atInfo().addKeyValue("eventId", "e" + i).log("line {}", i);
                }
            }, "logger-" + t);
            loggers.add(thread);
            thread.start();
        }
        for (Thread thread : loggers) {
            thread.join();
        }
        appender.stop();

        Map<String, Integer> next = new HashMap<>();
        String[] written = output().split("\n");
        assertThat(written).hasSize(threads * lines);
        for (String line : written) {
            String thread = line.substring(1, line.indexOf(']'));
            int number = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
            assertThat(number).as(line).isEqualTo(next.getOrDefault(thread, 0));
            assertThat(line).contains("eventId=\"e" + number + "\"");
            next.put(thread, number + 1);
        }
        assertThat(next).hasSize(threads).allSatisfy((thread, count) -> assertThat(count).isEqualTo(lines));
    }

    @Test
    void writesALineLoggedAloneWithoutWaitingForMore() {
        appender(8192);
        context.getLogger("test").info("started on port {}", 8080);

        await().atMost(Duration.ofSeconds(5)).until(() -> output().contains("started on port 8080\n"));
    }

    @Test
    void makesTheLoggingThreadWaitRatherThanDropALineWhenStdoutIsStuck() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                stuck.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                synchronized (captured) {
                    captured.write(b, off, len);
                }
            }
        }, true, StandardCharsets.UTF_8));
        StdoutLogAppender appender = appender(8);
        Logger log = context.getLogger("test");
        Thread logger = new Thread(() -> {
            for (int i = 0; i < 100; i++) {
                log.info("line {}", i);
            }
        }, "busy");
        logger.start();

        assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
        // The writer is stuck on its first batch: 8 lines may wait, then the logging thread waits too.
        await().atMost(Duration.ofSeconds(5)).until(() -> logger.getState() == Thread.State.TIMED_WAITING);
        // It waits in short parks, so its state flips between waiting and running; what cannot change while stdout
        // is stuck is that it has not got through its 100 lines.
        boolean stillLoggingWhileStuck = logger.isAlive();
        release.countDown();
        logger.join(10_000);
        appender.stop();

        assertThat(stillLoggingWhileStuck).as("the logging thread waits while stdout is stuck").isTrue();
        assertThat(logger.isAlive()).as("the logging thread finishes once stdout moves").isFalse();
        String[] written = output().split("\n");
        assertThat(written).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(written[i]).endsWith("line " + i);
        }
    }
}
