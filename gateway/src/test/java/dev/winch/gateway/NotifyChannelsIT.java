package dev.winch.gateway;

import static dev.winch.gateway.Http.assertApiError;
import static dev.winch.gateway.Http.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.WithKafka;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Given the notifier's channels file, the gateway refuses a receiver that routes results to a channel the file does
 * not have, naming the field, and stores nothing; a route to a channel it has is taken.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotifyChannelsIT {

    private static final String CHANNELS = """
            channels:
              - name: ops-mail
                kind: smtp
                host: smtp.example.com
                from: winch@example.com
                to: [ops@example.com]
              - name: team-chat
                kind: slack
                url: {env: SLACK_URL}
            routes:
              - channel: ops-mail
            """;

    private final Http http = new Http();
    private RunningGateway gateway;
    private Path channels;

    @BeforeAll
    void startGateway(KafkaBroker broker, @TempDir Path dir) throws Exception {
        GatewayTopics.create(broker);
        channels = Files.writeString(dir.resolve("channels.yaml"), CHANNELS);
        gateway = RunningGateway.start(broker.bootstrapServers(),
                Map.of("WINCH_NOTIFIER_CHANNELS_FILE", channels.toString()));
    }

    @AfterAll
    void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private HttpResponse<String> create(String id, String notify) {
        String body = ("{'id':'%s','kind':'scaleService','scaleService':{'namespace':'demo',"
                + "'workload':'deployment/web','action':'up','max':4},'notify':%s}").formatted(id, notify)
                .replace('\'', '"');
        return http.send(to(gateway.uri("/api/v1/receivers")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void refusesARouteToAChannelTheNotifierDoesNotHaveAndStoresNothing() {
        HttpResponse<String> refused = create("routes-nowhere",
                "[{'channel':'team-chat'},{'channel':'ops-pager','outcomes':['FAILED']}]");

        assertThat(assertApiError(refused, 400, "invalid_receiver")).containsExactly("notify[1].channel");
        assertThat(refused.body()).contains("no channel named 'ops-pager'").contains("ops-mail", "team-chat");
        assertThat(http.send(to(gateway.uri("/api/v1/receivers/routes-nowhere")).GET()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void takesRoutesToChannelsTheNotifierHas() {
        HttpResponse<String> created = create("routes-known",
                "[{'channel':'team-chat'},{'channel':'ops-mail','outcomes':['FAILED']}]");

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(http.send(to(gateway.uri("/api/v1/receivers/routes-known")).GET()).body())
                .contains("\"notify\"", "team-chat", "ops-mail");
    }

    @Test
    void aReceiversFileRoutingToAnUnknownChannelStopsTheStartNamingTheField(KafkaBroker broker,
            @TempDir Path dir) throws Exception {
        Path receivers = Files.writeString(dir.resolve("receivers.yaml"), """
                receivers:
                  - id: file-web
                    kind: scaleService
                    scaleService: {namespace: demo, workload: deployment/web, action: up, max: 4}
                    notify: [{channel: ops-pager}]
                """);
        RunningGateway starting = RunningGateway.prepare(broker.bootstrapServers(), Map.of(
                "WINCH_NOTIFIER_CHANNELS_FILE", channels.toString(), "WINCH_RECEIVERS_FILE", receivers.toString()));
        try {
            assertThatThrownBy(() -> starting.startService().toCompletionStage().toCompletableFuture().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("receivers[0].notify[0].channel")
                    .hasMessageContaining("no channel named 'ops-pager'");
        } finally {
            starting.close();
        }
    }
}
