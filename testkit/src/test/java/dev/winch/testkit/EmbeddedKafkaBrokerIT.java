package dev.winch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@WithKafka
class EmbeddedKafkaBrokerIT {

  private static KafkaBroker fromBeforeAll;

  @BeforeAll
  static void rememberBroker(KafkaBroker broker) {
    fromBeforeAll = broker;
  }

  @Test
  void producesWithAcksAllAndConsumesBackWithAFreshGroup(KafkaBroker broker) throws Exception {
    String topic = KafkaBrokerExtension.uniqueName("roundtrip");
    broker.createTopic(topic, 1);

    RecordMetadata sent;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.producerProps())) {
      ProducerRecord<String, String> record = new ProducerRecord<>(topic, "demo/Deployment/web", "upgrade");
      record.headers().add("ce_id", "evt-1".getBytes(StandardCharsets.UTF_8));
      sent = producer.send(record).get(30, TimeUnit.SECONDS);
    }
    assertThat(sent.topic()).isEqualTo(topic);
    assertThat(sent.offset()).isZero();

    List<ConsumerRecord<String, String>> received =
        pollUntilOne(broker, topic, KafkaBrokerExtension.uniqueName("group"));
    assertThat(received).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("demo/Deployment/web");
      assertThat(r.value()).isEqualTo("upgrade");
      assertThat(new String(r.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8)).isEqualTo("evt-1");
      assertThat(r.offset()).isEqualTo(sent.offset());
    });
  }

  @Test
  void autoCreatesTopicsWithThreePartitionsOnFirstSend(KafkaBroker broker) throws Exception {
    String topic = KafkaBrokerExtension.uniqueName("auto");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.producerProps())) {
      producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
    }
    try (Admin admin = Admin.create(broker.adminProps())) {
      int partitions = admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(topic).partitions().size();
      assertThat(partitions).isEqualTo(3);
    }
  }

  @Test
  void sharesOneBrokerAcrossMethodsAndClasses(KafkaBroker broker) {
    assertThat(broker).isSameAs(fromBeforeAll);
    BrokerIdentity.assertSameAsAnyEarlier(broker);
  }

  private static List<ConsumerRecord<String, String>> pollUntilOne(KafkaBroker broker, String topic, String group) {
    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(broker.consumerProps(group))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(received::add);
      }
    }
    return received;
  }
}
