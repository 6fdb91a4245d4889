package dev.winch.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The local run's capture endpoints: what a mail and a webhook channel send is shown at /captured. */
class NotificationCaptureTest {

    @Test
    void showsTheMailsAndWebhookBodiesItReceived() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (NotificationCapture capture = NotificationCapture.start("127.0.0.1",
                new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(capture.webhookUrl()))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"demo/web: nginx:1.26 -> nginx:1.27\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            GreenMailUtil.sendTextEmail("ops@localhost", "winch@localhost", "APPLIED demo/deployment/web",
                    "set web to nginx:1.27", new ServerSetup(capture.smtpPort(), "127.0.0.1",
                            ServerSetup.PROTOCOL_SMTP));

            JsonNode captured = new ObjectMapper().readTree(http.send(
                    HttpRequest.newBuilder(URI.create(capture.capturedUrl())).build(),
                    HttpResponse.BodyHandlers.ofString()).body());

            assertThat(posted.statusCode()).isEqualTo(200);
            assertThat(captured.at("/webhook/0/body").asText()).isEqualTo(
                    "{\"text\":\"demo/web: nginx:1.26 -> nginx:1.27\"}");
            assertThat(captured.at("/webhook/0/contentType").asText()).isEqualTo("application/json");
            assertThat(captured.at("/mail/0/subject").asText()).isEqualTo("APPLIED demo/deployment/web");
            assertThat(captured.at("/mail/0/to").asText()).isEqualTo("ops@localhost");
            assertThat(captured.at("/mail/0/body").asText()).contains("set web to nginx:1.27");
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("[notification] webhook {\"text\"");
        }
    }
}
