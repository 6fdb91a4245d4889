package dev.winch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** A second class using the extension: it must get the broker the other class got, not a new one. */
@WithKafka
class KafkaBrokerSharingIT {

  @Test
  void getsTheSameBrokerAsEveryOtherClass(KafkaBroker broker) throws Exception {
    BrokerIdentity.assertSameAsAnyEarlier(broker);
    try (Admin admin = Admin.create(broker.adminProps())) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
    }
  }

  @Test
  void uniqueNamesDoNotRepeatAndAreValidTopicNames() {
    String first = KafkaBrokerExtension.uniqueName("orders");
    String second = KafkaBrokerExtension.uniqueName("orders");
    assertThat(first).isNotEqualTo(second).startsWith("orders-").matches("[a-zA-Z0-9._-]+");
  }
}
