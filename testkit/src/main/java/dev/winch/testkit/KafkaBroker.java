package dev.winch.testkit;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A running Kafka broker for tests and the local run: in-JVM ({@link EmbeddedKafkaBroker}) or in a
 * container ({@link TestcontainersKafkaBroker}). Callers only need the bootstrap address.
 */
public interface KafkaBroker extends AutoCloseable {

  Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  String bootstrapServers();

  /**
   * Creates a topic with replication factor 1 and returns once every partition has a leader, so a
   * producer or consumer started right after does not race the metadata propagation. An existing
   * topic is accepted as-is.
   */
  default void createTopic(String name, int partitions) {
    try (Admin admin = Admin.create(adminProps())) {
      try {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
            .all()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      awaitLeaders(admin, name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create topic " + name + " on " + bootstrapServers(), e);
    }
  }

  /**
   * Commits the current end of every partition of {@code topic} for {@code group}: a new group of a test then reads
   * only what is written after this, not what earlier tests left on a shared topic.
   */
  default void startGroupAtEnd(String group, String topic) {
    try (Admin admin = Admin.create(adminProps())) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (TopicPartitionInfo partition : admin.describeTopics(List.of(topic)).allTopicNames()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions()) {
        latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest());
      }
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      admin.listOffsets(latest).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .forEach((partition, info) -> offsets.put(partition, new OffsetAndMetadata(info.offset())));
      admin.alterConsumerGroupOffsets(group, offsets).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting group " + group, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not start group " + group + " at the end of " + topic, e);
    }
  }

  /** Minimal admin client properties for this broker. */
  default Map<String, Object> adminProps() {
    return Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
  }

  /** String key/value producer that waits for the full ISR, as the services do. */
  default Map<String, Object> producerProps() {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
  }

  /** String key/value consumer reading from the earliest offset, committing by hand. */
  default Map<String, Object> consumerProps(String group) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
  }

  /** Stops the broker; unlike {@link AutoCloseable#close()} it throws no checked exception. */
  @Override
  void close();

  private static void awaitLeaders(Admin admin, String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        TopicDescription description = admin.describeTopics(Set.of(topic))
            .allTopicNames()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .get(topic);
        if (description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions of " + topic + " have no leader after " + ADMIN_TIMEOUT);
      }
      // Metadata reaches the broker within milliseconds; a short pause keeps the loop from spinning.
      Thread.sleep(20);
    }
  }
}
