package dev.winch.gateway.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.gateway.GatewayTopics;
import dev.winch.gateway.LogCapture;
import dev.winch.gateway.RunningGateway;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.WithKafka;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hooks file served by the gateway over real HTTP: the rule sees what the tool's rule would see (the query as
 * sent, the sender's port, the payload only as JSON), and one refused hook leaves the others served.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HooksFileGatewayIT {

    private static final String TARGET = "ns=demo&workload=deployment%2Fweb&container=web";
    private static final String PUSH = "{\"push_data\":{\"tag\":\"latest\",\"pusher\":\"ops\"},"
            + "\"repository\":{\"repo_name\":\"demo/web\",\"name\":\"web\",\"namespace\":\"demo\"}}";
    // tab-indented, as some editors write JSON: it must read
    private static final String HOOKS = """
            [
            \t{"id": "hub", "execute-command": "/redeploy.sh",
            \t "trigger-rule": {"and": [
            \t\t{"match": {"type": "value", "value": "t0k", "parameter": {"source": "url", "name": "token"}}},
            \t\t{"match": {"type": "regex", "regex": "^127\\\\.0\\\\.0\\\\.1:[0-9]+$",
            \t\t           "parameter": {"source": "request", "name": "remote-addr"}}},
            \t\t{"match": {"type": "value", "value": "latest", "parameter": {"source": "payload", "name": "push_data.tag"}}}
            \t]}},
            \t{"id": "open", "execute-command": "/redeploy.sh", "trigger-rule": {"and": []}}
            ]
            """;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private LogCapture logs;
    private Path file;
    private RunningGateway gateway;

    @BeforeAll
    void startGateway(KafkaBroker broker) throws Exception {
        logs = LogCapture.attach();
        GatewayTopics.create(broker);
        file = Files.createTempFile("hooks", ".json");
        Files.writeString(file, HOOKS);
        gateway = RunningGateway.start(broker.bootstrapServers(), Map.of("WINCH_RECEIVERS_FILE", file.toString()));
    }

    @AfterAll
    void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        logs.close();
        Files.deleteIfExists(file);
    }

    private HttpResponse<String> post(String path, String contentType) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(PUSH));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void triggersWhenTheRuleSeesTheSendersPortAndTheJsonPayload() throws Exception {
        HttpResponse<String> answer = post("/hooks/hub?token=t0k&" + TARGET, "application/json");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        assertThat(answer.body()).contains("\"receiver\":\"hub\"");
    }

    @Test
    void dropsAQueryPairHoldingASemicolonAsTheToolDoes() throws Exception {
        assertThat(post("/hooks/hub?token=t0k;x=1&" + TARGET, "application/json").statusCode()).isEqualTo(404);
    }

    @Test
    void doesNotReadThePayloadWithoutAJsonContentType() throws Exception {
        assertThat(post("/hooks/hub?token=t0k&" + TARGET, null).statusCode()).isEqualTo(404);
    }

    @Test
    void servesTheRestOfTheFileAndSaysWhichHookItRefused() throws Exception {
        assertThat(post("/hooks/open?" + TARGET, "application/json").statusCode()).isEqualTo(404);
        assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
                .contains("Hook [1] 'open' is not served").contains("[1].trigger-rule.and"));
        assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("Serving 1 of 2 hooks: [hub]"));
    }

    @Test
    void answersAnUnknownHookAsItAnswersARefusedOne() throws Exception {
        HttpResponse<String> unknown = post("/hooks/nope?" + TARGET, "application/json");
        HttpResponse<String> refused = post("/hooks/open?" + TARGET, "application/json");

        assertThat(refused.statusCode()).isEqualTo(unknown.statusCode()).isEqualTo(404);
        assertThat(refused.body()).isEqualTo(unknown.body());
    }
}
