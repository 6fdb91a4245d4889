package dev.winch.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.event.Topics;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.notifier.channel.Route;
import dev.winch.testkit.EmbeddedKafkaBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** A notifier with channels on a Kafka without its topics: it refuses to start and says which one is missing. */
class NotifierTopicsIT {

    @Test
    void refusesToStartWithoutTheDeliveredMarksTopicNamingIt() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopic(Topics.RESULTS, 1);
            Env env = new Env(Map.of("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "WINCH_SHUTDOWN_TIMEOUT", "1s"));
            ServiceRuntime runtime = ServiceRuntime.create(RuntimeConfig.fromEnv("notifier", env));
            TestChannels.Recording mail = new TestChannels.Recording("ops-mail");
            NotifierService service = new NotifierService(runtime, NotifierConfig.fromEnv(Map.of())
                    .withRuntime(runtime.config()), List.of(mail), List.of(new Route("ops-mail", null)));
            try {
                Throwable failure = service.start().transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
                        .await(60, TimeUnit.SECONDS);

                assertThat(failure).isNotNull().hasMessage("Kafka topic winch.notifications.delivered does not "
                        + "exist: create it before starting the notifier (cleanup.policy=compact)");
                try (Admin admin = Admin.create(broker.adminProps())) {
                    assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                            .as("not created on first use either").doesNotContain(Topics.NOTIFICATIONS_DELIVERED);
                }
            } finally {
                service.close().await(30, TimeUnit.SECONDS);
            }
        }
    }
}
