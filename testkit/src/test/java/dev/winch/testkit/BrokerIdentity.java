package dev.winch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;

/** Remembers the first broker handed to any test class, to prove later ones get the same one. */
final class BrokerIdentity {

  private static final AtomicReference<KafkaBroker> FIRST = new AtomicReference<>();

  private BrokerIdentity() {
  }

  static void assertSameAsAnyEarlier(KafkaBroker broker) {
    FIRST.compareAndSet(null, broker);
    assertThat(broker).isSameAs(FIRST.get());
  }
}
