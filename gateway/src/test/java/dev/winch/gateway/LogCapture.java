package dev.winch.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Everything logged while attached, rendered as the console would show it (message, key-values, causes). */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();
    /** The thread each line was logged on, by index. */
    private final List<String> threads = new ArrayList<>();

    private LogCapture() {
    }

    public static LogCapture attach() {
        LogCapture capture = new LogCapture();
        capture.setName("test-capture");
        capture.start();
        root().addAppender(capture);
        return capture;
    }

    @Override
    protected synchronized void append(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
            event.getKeyValuePairs().forEach(kv -> line.append(' ').append(kv.key).append('=').append(kv.value));
        }
        for (IThrowableProxy cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
            line.append(" caused by ").append(cause.getClassName()).append(": ").append(cause.getMessage());
        }
        lines.add(line.toString());
        threads.add(event.getThreadName());
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The threads that logged lines containing {@code text}. */
    public synchronized java.util.Set<String> threadsLogging(String text) {
        java.util.Set<String> found = new java.util.TreeSet<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                found.add(threads.get(i));
            }
        }
        return found;
    }

    @Override
    public void close() {
        root().detachAppender(this);
        stop();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
