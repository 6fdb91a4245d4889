package dev.winch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** Starts its own broker (not the shared one) to check overrides and what close() leaves behind. */
class EmbeddedKafkaBrokerLifecycleIT {

  @Test
  void appliesOverridesAndRemovesItsDataOnClose() throws Exception {
    Path logDir;
    String bootstrap;
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of("num.partitions", "1"))) {
      logDir = broker.logDir();
      bootstrap = broker.bootstrapServers();
      assertThat(logDir.resolve("meta.properties")).exists();

      try (Admin admin = Admin.create(broker.adminProps())) {
        String nodeId = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().idString();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, nodeId);
        Config config = admin.describeConfigs(Set.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        assertThat(config.get("num.partitions").value()).isEqualTo("1");
        assertThat(config.get("log.cleaner.dedupe.buffer.size").value()).isEqualTo("2097152");
      }
    }

    assertThat(Files.exists(logDir)).isFalse();
    String[] hostPort = bootstrap.split(":");
    assertThatThrownBy(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 1_000);
      }
    }).isInstanceOf(IOException.class);
  }
}
