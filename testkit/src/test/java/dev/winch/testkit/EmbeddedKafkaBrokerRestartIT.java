package dev.winch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Starts its own broker (not the shared one): stopping it would break every other test. */
class EmbeddedKafkaBrokerRestartIT {

  @Test
  void restartsOnTheSamePortsWithEveryAcknowledgedRecord() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopic("outage", 1);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.producerProps())) {
        producer.send(new ProducerRecord<>("outage", "k", "before")).get(30, TimeUnit.SECONDS);

        broker.stop();

        assertThat(broker.isRunning()).isFalse();
        assertThat(broker.logDir().resolve("meta.properties")).exists();
        assertThatThrownBy(() -> connect(bootstrap)).isInstanceOf(IOException.class);
        broker.stop();

        broker.restart();

        assertThat(broker.isRunning()).isTrue();
        assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
        // The producer made before the outage reconnects on its own.
        producer.send(new ProducerRecord<>("outage", "k", "after")).get(30, TimeUnit.SECONDS);
      }
      assertThat(readAll(broker, "outage", 2)).containsExactly("before", "after");
    }
  }

  @Test
  void restartOfARunningBrokerKeepsItsData() throws Exception {
    Path logDir;
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      logDir = broker.logDir();
      broker.createTopic("bounce", 1);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.producerProps())) {
        producer.send(new ProducerRecord<>("bounce", "k", "kept")).get(30, TimeUnit.SECONDS);
      }

      broker.restart();

      assertThat(readAll(broker, "bounce", 1)).containsExactly("kept");
    }
    assertThat(Files.exists(logDir)).as("close() still removes the data").isFalse();
  }

  @Test
  void refusesToStopOrRestartOnceClosed() {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
    broker.close();

    assertThatThrownBy(broker::restart).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(broker::stop).isInstanceOf(IllegalStateException.class);
  }

  private static void connect(String bootstrap) throws IOException {
    String[] hostPort = bootstrap.split(":");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 1_000);
    }
  }

  private static List<String> readAll(KafkaBroker broker, String topic, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(broker.consumerProps(KafkaBrokerExtension.uniqueName("reader")))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}
