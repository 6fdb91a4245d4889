package dev.winch.common.runtime;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes log lines to stdout from a thread of its own, in the order they were logged, none dropped: the job of
 * logback's {@code AsyncAppender} in front of a {@code ConsoleAppender}, which this replaces because of what
 * that pair cost the thread that logs. The gateway logs a line per accepted request from its event loop; with the
 * pair, handing a line over took {@code ArrayBlockingQueue}'s one lock, shared with the writer draining it, and
 * waking the writer (a futex call) was 8 % of the event loop's time, and the writer made a {@code write} call per
 * line (System.out flushes every write).
 *
 * <p>Here the logging thread prepares the event (message formatted, thread name taken, as {@code AsyncAppender}
 * does), adds it to a lock-free queue and wakes the writer only when the writer is asleep. The writer encodes what is
 * queued into one buffer and writes whole lines with one call per batch (at most {@value #BATCH_BYTES} bytes), then
 * flushes when the queue is empty. While lines keep coming (one in the last 100 ms) it then looks again every
 * 5 ms without being woken, so a busy logging thread never pays for a wake-up and a line waits at most about
 * 5 ms (every millisecond cost the writer a thousand timed sleeps a second, 40 % of its own time at 10,000 lines a
 * second; every 5 ms writes about 75 lines a call at 15,000 a second); after 100 ms without a line it sleeps until a logging thread wakes it, so an idle service costs
 * nothing and a line logged alone is out at once. (Polling only while lines came several at a time was tried: the
 * writer then switched between the two modes at a few thousand lines a second, and waking it was again 4 % of the
 * gateway's event loop.) When {@code capacity} lines are waiting,
 * the logging thread waits for the writer, as a full {@code AsyncAppender} with a discarding threshold of 0 did.
 * {@link #stop()} writes everything queued before it returns.
 */
final class StdoutLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    static final int BATCH_BYTES = 64 * 1024;
    /** How long the writer sleeps at most when there is nothing to write: a safety net, it is woken. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long after the last line the writer keeps polling instead of sleeping until woken. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long FULL_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long STOP_TIMEOUT_MILLIS = 10_000;

    private final ConcurrentLinkedQueue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final ByteArrayOutputStream batch = new ByteArrayOutputStream(BATCH_BYTES + 4096);
    private volatile boolean writerAsleep;
    private volatile boolean stopping;
    private int capacity = 8192;
    private Encoder<ILoggingEvent> encoder;
    private Thread writer;

    void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** Lines that may wait for the writer before a logging thread waits too. */
    void setCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for appender " + name);
            return;
        }
        stopping = false;
        writer = new Thread(this::writeLoop, "winch-log-writer");
        writer.setDaemon(true);
        add(encoder.headerBytes());
        writer.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // What AsyncAppender did before handing an event to another thread.
        event.prepareForDeferredProcessing();
        while (queued.get() >= capacity && !stopping) {
            LockSupport.unpark(writer);
            LockSupport.parkNanos(this, FULL_PARK_NANOS);
        }
        queue.offer(event);
        queued.incrementAndGet();
        if (writerAsleep) {
            LockSupport.unpark(writer);
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        stopping = true;
        LockSupport.unpark(writer);
        try {
            writer.join(STOP_TIMEOUT_MILLIS);
            if (writer.isAlive()) {
                addWarn("the log writer did not finish within " + STOP_TIMEOUT_MILLIS + " ms; "
                        + queued.get() + " line(s) not written");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive()) {
            add(encoder.footerBytes());
            write();
        }
    }

    private void writeLoop() {
        long lastLine = System.nanoTime() - LINGER_NANOS;
        while (true) {
            ILoggingEvent event = queue.poll();
            if (event != null) {
                queued.decrementAndGet();
                encode(event);
                if (batch.size() >= BATCH_BYTES) {
                    write();
                }
                lastLine = System.nanoTime();
                continue;
            }
            write();
            if (stopping && queue.isEmpty()) {
                return;
            }
            if (System.nanoTime() - lastLine < LINGER_NANOS) {
                // Busy: poll, so that the logging threads need not wake this one.
                LockSupport.parkNanos(this, POLL_NANOS);
                continue;
            }
            // Asleep first, then look again: a logging thread that added a line after this look sees the flag.
            writerAsleep = true;
            if (queue.isEmpty() && !stopping) {
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
            }
            writerAsleep = false;
        }
    }

    private void encode(ILoggingEvent event) {
        try {
            add(encoder.encode(event));
        } catch (RuntimeException e) {
            addError("could not encode a log event", e);
        }
    }

    private void add(byte[] bytes) {
        if (bytes != null) {
            batch.write(bytes, 0, bytes.length);
        }
    }

    /** Whole lines, one call; System.out is looked up each time, so a replaced stdout gets them. */
    private void write() {
        if (batch.size() == 0) {
            return;
        }
        PrintStream out = System.out;
        try {
            batch.writeTo(out);
        } catch (java.io.IOException e) {
            // PrintStream reports nothing here; kept for the signature of writeTo.
            addError("could not write to stdout", e);
        }
        out.flush();
        batch.reset();
    }
}
