package dev.winch.notifier.channel.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.EventCodec;
import dev.winch.notifier.channel.ChannelsFile;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.channel.RecordingServer;
import dev.winch.notifier.channel.Results;
import dev.winch.notifier.channel.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookChannelTest {

    private static final String SIGNING_SECRET = "whsec-Very-Secret";

    private Vertx vertx;
    private RecordingServer server;
    private ChannelsFile channels;
    private final Notification.Single notification = Results.single(Results.upgrade("image \"updated\"\n"));

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        server = RecordingServer.start(vertx);
    }

    @AfterEach
    void stop() {
        if (channels != null) {
            channels.close();
        }
        server.close();
        vertx.close().await();
    }

    private WebhookChannel webhook(String url, String extra, Map<String, String> moreEnv) {
        Map<String, String> env = new java.util.HashMap<>(moreEnv);
        env.put("SIGNING_SECRET", SIGNING_SECRET);
        env.put("AUDIT_TOKEN", "Bearer audit-token-1");
        channels = ChannelsFile.parse("""
                channels:
                  - name: audit
                    kind: webhook
                    url: "%s"
                %s
                """.formatted(url, extra.indent(4)), env, vertx, Clock.systemUTC());
        return (WebhookChannel) channels.channel("audit");
    }

    private static String hmacHex(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void postsTheResultAsJsonWithAVerifiableSignature() throws Exception {
        WebhookChannel channel = webhook(server.url("/winch"), """
                signingSecret: {env: SIGNING_SECRET}
                headers:
                  Authorization: {env: AUDIT_TOKEN}
                  X-Team: platform
                """, Map.of());
        server.answerAlways(204, "");

        assertThat(channel.send(notification).await()).isEqualTo(new Delivery.Delivered(204));

        RecordingServer.Request request = server.only();
        assertThat(request.path()).isEqualTo("/winch");
        assertThat(request.headers().get("Content-Type")).isEqualTo("application/json");
        assertThat(request.headers().get("X-Winch-Result-Id")).isEqualTo("res-evt-42");
        assertThat(request.headers().get("Authorization")).isEqualTo("Bearer audit-token-1");
        assertThat(request.headers().get("X-Team")).isEqualTo("platform");
        assertThat(request.headers().get("ce-id")).isNull();
        // what a receiving end does: HMAC the raw body with the shared secret, compare in constant time
        String expected = "sha256=" + hmacHex(SIGNING_SECRET, request.body().getBytes());
        assertThat(MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                request.headers().get("X-Winch-Signature").getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(EventCodec.mapper().readValue(request.body().getBytes(), ActionResult.class))
                .isEqualTo(notification.result());
    }

    @Test
    void aCloudEventInBinaryModeCarriesTheResultIdAndType() {
        WebhookChannel channel = webhook(server.url("/events"), """
                cloudEvent: true
                source: /winch/prod
                """, Map.of());

        assertThat(channel.send(notification).await()).isEqualTo(new Delivery.Delivered(200));

        RecordingServer.Request request = server.only();
        assertThat(request.headers().get("ce-specversion")).isEqualTo("1.0");
        assertThat(request.headers().get("ce-id")).isEqualTo("res-evt-42");
        assertThat(request.headers().get("ce-source")).isEqualTo("/winch/prod");
        assertThat(request.headers().get("ce-type")).isEqualTo("dev.winch.action.completed");
        assertThat(request.headers().get("ce-subject")).isEqualTo("demo/deployment/web");
        assertThat(request.headers().get("ce-time")).isEqualTo("2026-03-01T10:15:32Z");
        assertThat(request.headers().get("content-type")).isEqualTo("application/json");
        assertThat(request.headers().get("X-Winch-Signature")).isNull();
        assertThat(request.body().toJsonObject().getString("causeId")).isEqualTo("evt-42");
    }

    @Test
    void aDigestIsOneRequestListingEveryResultWithAStableId() {
        WebhookChannel channel = webhook(server.url("/events"), "cloudEvent: true", Map.of());
        Notification.Digest digest = Results.digest();

        channel.send(digest).await();
        channel.send(digest).await();

        List<RecordingServer.Request> requests = server.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).headers().get("ce-type")).isEqualTo("dev.winch.action.digest");
        assertThat(requests.get(0).headers().get("ce-id")).startsWith("digest-")
                .isEqualTo(requests.get(1).headers().get("ce-id"));
        JsonObject body = requests.get(0).body().toJsonObject();
        assertThat(body.getString("window")).isEqualTo("the last minute");
        assertThat(body.getJsonArray("results").stream().map(r -> ((JsonObject) r).getString("id")))
                .containsExactly("r1", "r2", "r3");
        assertThat(body.getJsonArray("results").getJsonObject(2).getJsonObject("result").getString("outcome"))
                .isEqualTo("FAILED");
    }

    @Test
    void aUrlByReferenceIsNotShownWhenTheServerAnswersWithIt() {
        channels = ChannelsFile.parse("channels: [{name: audit, kind: webhook, url: {env: HOOK}}]",
                Map.of("HOOK", server.url("/hook?token=tok-999")), vertx, Clock.systemUTC());
        server.answerNext(400, Map.of(), "bad request to /hook?token=tok-999");

        Delivery delivery = channels.channel("audit").send(notification).await();

        assertThat(delivery).isEqualTo(new Delivery.Rejected("HTTP 400: bad request to ******"));
    }

    @Test
    void anHttpsEndpointWithAPrivateCaIsTrustedOnlyWithThatCa() {
        TestCertificates certificates = TestCertificates.create();
        RecordingServer tls = RecordingServer.startTls(vertx, certificates.serverCertificatePem(),
                certificates.serverKeyPem());
        try {
            String url = "https://localhost:" + tls.port() + "/hook";
            String caBase64 = Base64.getEncoder().encodeToString(
                    certificates.caPem().getBytes(StandardCharsets.US_ASCII));
            Map<String, String> env = Map.of("CA_PEM", certificates.caPem(), "CA_BASE64", caBase64);

            assertThat(webhook(url, "caCertificate: {env: CA_PEM}", env).send(notification).await())
                    .isEqualTo(new Delivery.Delivered(200));
            channels.close();
            assertThat(webhook(url, "caCertificate: {env: CA_BASE64}", env).send(notification).await())
                    .isEqualTo(new Delivery.Delivered(200));
            channels.close();
            Delivery untrusted = webhook(url, "", env).send(notification).await();
            assertThat(untrusted).isInstanceOf(Delivery.Retry.class);
            channels.close();
            assertThat(webhook(url, "verifyTls: false", env).send(notification).await())
                    .isEqualTo(new Delivery.Delivered(200));
            assertThat(tls.requests()).hasSize(3);
        } finally {
            tls.close();
        }
    }
}
