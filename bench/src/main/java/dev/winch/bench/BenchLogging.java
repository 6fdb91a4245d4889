package dev.winch.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.OutputStream;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Logging for the benchmark process. The gateway logs one INFO line per accepted event; what that costs is part of
 * the gateway, so by default those lines are formatted with the production pattern ({@code Logging.configure}) and
 * then discarded instead of flooding the terminal. Warnings and errors of everything go to stderr.
 */
final class BenchLogging {

    /** The pattern of {@code dev.winch.common.runtime.Logging} (plain format). */
    private static final String PRODUCTION_PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30} %kvp - %msg%n";

    private BenchLogging() {
    }

    static void configure(BenchOptions.GatewayLog mode, Path logFile) {
        // The broker's dependencies log through the Log4j 2 API; without this it complains that it has no backend.
        System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder(context));
        ThresholdFilter warnings = new ThresholdFilter();
        warnings.setLevel("WARN");
        warnings.start();
        stderr.addFilter(warnings);
        stderr.start();
        root.addAppender(stderr);

        switch (mode) {
            case OFF -> root.setLevel(Level.WARN);
            case DISCARD -> {
                OutputStreamAppender<ILoggingEvent> discard = new OutputStreamAppender<>();
                discard.setContext(context);
                discard.setName("discard");
                discard.setEncoder(encoder(context));
                discard.setOutputStream(OutputStream.nullOutputStream());
                discard.start();
                root.addAppender(discard);
                root.setLevel(Level.INFO);
            }
            case FILE -> {
                FileAppender<ILoggingEvent> file = new FileAppender<>();
                file.setContext(context);
                file.setName("file");
                file.setFile(logFile.toString());
                file.setEncoder(encoder(context));
                file.start();
                root.addAppender(file);
                root.setLevel(Level.INFO);
            }
            default -> throw new IllegalArgumentException(mode.toString());
        }
        // As in production (Logging.configure): these log their configuration at INFO. The broker's own loggers too.
        for (String noisy : new String[] {"org.apache.kafka", "kafka", "state.change.logger", "io.fabric8",
                "io.netty"}) {
            context.getLogger(noisy).setLevel(Level.WARN);
        }
    }

    private static PatternLayoutEncoder encoder(LoggerContext context) {
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(context);
        pattern.setPattern(PRODUCTION_PATTERN);
        pattern.start();
        return pattern;
    }
}
