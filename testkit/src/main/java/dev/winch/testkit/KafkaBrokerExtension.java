package dev.winch.testkit;

import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@link KafkaBroker} parameters with one broker per test JVM.
 *
 * <p>Starting a broker costs seconds, so it lives in the root store and JUnit closes it when the
 * whole run ends. Tests isolate themselves with {@link #uniqueName(String)} topics and groups
 * instead of fresh brokers.
 *
 * <p>{@code WINCH_TEST_KAFKA} (system property, then environment variable) picks the broker:
 * {@code embedded}, {@code testcontainers} or {@code auto} (default: Testcontainers when a Docker
 * engine answers, else embedded). Any Testcontainers failure falls back to the embedded broker,
 * so a test never skips for lack of Docker.
 */
public final class KafkaBrokerExtension implements ParameterResolver {

  public static final String MODE_VARIABLE = "WINCH_TEST_KAFKA";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaBroker.class;
  }

  @Override
  public KafkaBroker resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // JUnit closes AutoCloseable values of the root store once the run is over.
    return context.getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(KafkaBroker.class, key -> startBroker(), KafkaBroker.class);
  }

  /** A topic or group name no other test uses, e.g. {@code orders-3f2a9c1d}. */
  public static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static KafkaBroker startBroker() {
    String mode = mode();
    return switch (mode) {
      case "embedded" -> EmbeddedKafkaBroker.start();
      case "testcontainers" -> containerOrEmbedded(true);
      case "auto" -> containerOrEmbedded(false);
      default -> throw new IllegalArgumentException(
          MODE_VARIABLE + " must be embedded, testcontainers or auto, was: " + mode);
    };
  }

  private static KafkaBroker containerOrEmbedded(boolean requested) {
    try {
      if (requested || TestcontainersKafkaBroker.dockerAvailable()) {
        return TestcontainersKafkaBroker.start();
      }
      LOG.info("No Docker engine: tests use the embedded Kafka broker");
    } catch (Exception | LinkageError e) {
      // LinkageError: Testcontainers (or one of its dependencies) is not on the classpath.
      LOG.warn("Testcontainers Kafka unavailable ({}); using the embedded broker", e.toString());
    }
    return EmbeddedKafkaBroker.start();
  }

  private static String mode() {
    String value = System.getProperty(MODE_VARIABLE, System.getenv(MODE_VARIABLE));
    return value == null || value.isBlank() ? "auto" : value.trim().toLowerCase(Locale.ROOT);
  }
}
