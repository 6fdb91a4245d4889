package dev.winch.common.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import dev.winch.common.config.RuntimeConfig.LogFormat;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Log set-up for a service process: one line per event on stdout, plain or JSON. Lines about an event carry
 * {@code eventId} and {@code target} as key-value pairs (SLF4J 2 fluent API), which both formats print.
 */
public final class Logging {

    private Logging() {
    }

    /** Writes out what is queued and stops logging: the last step of a shutdown. */
    public static void flush() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }

    /** Configures logback unless a configuration file was given explicitly (tests, operators). */
    public static void configure(LogFormat format) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        if (System.getProperty("logback.configurationFile") != null) {
            return;
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        Encoder<ILoggingEvent> encoder;
        if (format == LogFormat.JSON) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.start();
            encoder = json;
        } else {
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setContext(context);
            pattern.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30} %kvp - %msg%n");
            pattern.start();
            encoder = pattern;
        }
        // Lines are written by a thread of their own, so an event loop never waits on stdout; none is dropped.
        StdoutLogAppender stdout = new StdoutLogAppender();
        stdout.setContext(context);
        stdout.setName("stdout");
        stdout.setEncoder(encoder);
        stdout.setCapacity(8192);
        stdout.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stdout);
        // The Kafka clients and the Kubernetes client log their whole configuration at INFO.
        context.getLogger("org.apache.kafka").setLevel(Level.WARN);
        context.getLogger("kafka").setLevel(Level.WARN);
        context.getLogger("state.change.logger").setLevel(Level.WARN);
        context.getLogger("io.fabric8").setLevel(Level.WARN);
        context.getLogger("io.netty").setLevel(Level.WARN);
        // Vert.x registers its HTTP server gauges once per event loop; Micrometer warns that it kept the first.
        context.getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(Level.ERROR);
    }
}
