package dev.winch.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A Kafka broker in a container, for machines with a Docker engine (CI runners, laptops).
 *
 * <p>This is the only class that touches Testcontainers: {@link KafkaBrokerExtension} loads it
 * inside a guard, so a missing or broken Testcontainers never breaks the embedded fallback.
 */
public final class TestcontainersKafkaBroker implements KafkaBroker {

  /** Same major line as the embedded broker; the image runs in KRaft mode by default. */
  public static final DockerImageName IMAGE = DockerImageName.parse("apache/kafka:4.1.0");

  private final KafkaContainer container;

  private TestcontainersKafkaBroker(KafkaContainer container) {
    this.container = container;
  }

  public static TestcontainersKafkaBroker start() {
    KafkaContainer container = new KafkaContainer(IMAGE);
    try {
      container.start();
    } catch (RuntimeException e) {
      try {
        container.close();
      } catch (RuntimeException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
    return new TestcontainersKafkaBroker(container);
  }

  /** True when a Docker engine answers; cached by Testcontainers after the first call. */
  public static boolean dockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void close() {
    container.close();
  }
}
