package dev.winch.notifier.channel.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.ChannelsFile;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.LogCapture;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.channel.Results;
import dev.winch.notifier.channel.TestCertificates;
import io.vertx.core.Vertx;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmtpChannelTest {

    private static final String PASSWORD = "s3cret pass!";
    private static TestCertificates certificates;

    @TempDir
    static Path dir;

    private GreenMail greenMail;
    private Vertx vertx;
    private ChannelsFile channels;
    private Map<String, String> env;
    private final Notification.Single notification =
            Results.single(Results.upgrade("image updated <b>now</b> & \"then\""));

    @BeforeAll
    static void serverCertificate() throws Exception {
        certificates = TestCertificates.create();
        // GreenMail reads its keystore when it starts a TLS server: ours is signed by a CA only the tests know
        System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY,
                certificates.serverKeyStore(dir).toString());
        System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY,
                TestCertificates.KEYSTORE_PASSWORD);
    }

    @AfterAll
    static void forgetCertificate() {
        System.clearProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY);
        System.clearProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY);
    }

    @BeforeEach
    void start() throws Exception {
        greenMail = new GreenMail(new ServerSetup[] {
                ServerSetup.SMTP.dynamicPort(),
                ServerSetup.SMTPS.dynamicPort()});
        greenMail.start();
        greenMail.setUser("winch@example.com", "winch", PASSWORD);
        vertx = Vertx.vertx();
        Path caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, certificates.caPem());
        env = new HashMap<>();
        // as the seed's tool took them: echo <password> | base64, cat ca.pem | base64
        env.put("SMTP_PASSWORD", base64(PASSWORD + "\n"));
        env.put("WRONG_PASSWORD", base64("not it\n"));
        env.put("CA_BASE64", base64(certificates.caPem()));
        env.put("CA_FILE", caFile.toString());
    }

    @AfterEach
    void stop() {
        if (channels != null) {
            channels.close();
        }
        vertx.close().await();
        greenMail.stop();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private Channel smtp(String host, int port, String settings) {
        channels = ChannelsFile.parse("""
                channels:
                  - name: ops-mail
                    kind: smtp
                    host: %s
                    port: %d
                    from: winch@example.com
                    to: [ops@example.com, dev@example.com]
                    timeout: 5s
                %s
                """.formatted(host, port, settings.indent(4)), env, vertx, Clock.systemUTC());
        return channels.channel("ops-mail");
    }

    private int plainPort() {
        return greenMail.getSmtp().getPort();
    }

    private int tlsPort() {
        return greenMail.getSmtps().getPort();
    }

    @Test
    void plainSmtpWithABase64PasswordMailsHtmlAndTextToEveryRecipient() throws Exception {
        Channel channel = smtp("127.0.0.1", plainPort(), """
                tls: none
                username: winch
                password: {env: SMTP_PASSWORD, encoding: base64}
                """);

        assertThat(channel.send(notification).await()).isEqualTo(new Delivery.Delivered(250));

        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(2);
        MimeMessage mail = received[0];
        assertThat(mail.getSubject())
                .isEqualTo("[Winch] APPLIED demo/deployment/web: image updated <b>now</b> & \"then\"");
        assertThat(mail.getFrom()).containsExactly(new InternetAddress("winch@example.com"));
        assertThat(mail.getRecipients(Message.RecipientType.TO)).containsExactlyInAnyOrder(
                new InternetAddress("ops@example.com"), new InternetAddress("dev@example.com"));
        Map<String, String> parts = parts(mail);
        assertThat(parts.keySet()).containsExactlyInAnyOrder("text/plain", "text/html");
        assertThat(parts.get("text/plain")).contains("image updated <b>now</b> & \"then\"", "receiver demo-hook",
                "container web: nginx:1.25 → nginx:1.26", "evt-42", "https://winch.example.com/api/v1/events/evt-42");
        assertThat(parts.get("text/html")).contains("image updated &lt;b&gt;now&lt;/b&gt; &amp; &quot;then&quot;")
                .doesNotContain("<b>now</b>");
    }

    @Test
    void aWrongPasswordIsRejected() {
        Channel channel = smtp("127.0.0.1", plainPort(), """
                tls: none
                username: winch
                password: {env: WRONG_PASSWORD, encoding: base64}
                """);

        Delivery delivery;
        try (LogCapture logs = new LogCapture()) {
            delivery = channel.send(notification).await();
            assertThat(String.join("\n", logs.lines())).doesNotContain("not it");
        }

        assertThat(delivery).isInstanceOf(Delivery.Rejected.class);
        assertThat(((Delivery.Rejected) delivery).reason()).contains("535").doesNotContain("not it");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void implicitTlsWithTheSelfSignedCaVerifiesTheServer() {
        Channel fromFile = smtp("localhost", tlsPort(), """
                tls: implicit
                caCertificate: {env: CA_FILE}
                """.replace("{env: CA_FILE}", "{file: " + env.get("CA_FILE") + "}"));
        assertThat(fromFile.send(notification).await()).isEqualTo(new Delivery.Delivered(250));
        channels.close();

        Channel fromBase64 = smtp("localhost", tlsPort(), """
                tls: implicit
                verifyTls: true
                caCertificate: {env: CA_BASE64}
                username: winch
                password: {env: SMTP_PASSWORD, encoding: base64}
                """);
        assertThat(fromBase64.send(notification).await()).isEqualTo(new Delivery.Delivered(250));

        assertThat(greenMail.getReceivedMessages()).hasSize(4);
    }

    @Test
    void implicitTlsWithoutTheCaRefusesTheServer() {
        Channel channel = smtp("localhost", tlsPort(), "tls: implicit");

        Delivery delivery = channel.send(notification).await();

        assertThat(delivery).isInstanceOf(Delivery.Retry.class);
        assertThat(((Delivery.Retry) delivery).reason()).startsWith("TLS with localhost:" + tlsPort() + " failed");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void implicitTlsWithVerificationOffTrustsAnyServer() {
        Channel channel = smtp("127.0.0.1", tlsPort(), """
                tls: implicit
                verifyTls: false
                """);

        assertThat(channel.send(notification).await()).isEqualTo(new Delivery.Delivered(250));
        assertThat(greenMail.getReceivedMessages()).hasSize(2);
    }

    @Test
    void starttlsUpgradesBeforeLoggingInAndVerifiesTheServerWithTheCa() {
        StartTlsSmtpServer server = StartTlsSmtpServer.start(vertx, certificates.serverCertificatePem(),
                certificates.serverKeyPem());
        try {
            Channel channel = smtp("localhost", server.port(), """
                    tls: starttls
                    caCertificate: {env: CA_BASE64}
                    username: winch
                    password: {env: SMTP_PASSWORD, encoding: base64}
                    """);

            assertThat(channel.send(notification).await()).isEqualTo(new Delivery.Delivered(250));

            List<StartTlsSmtpServer.Received> received = server.received();
            assertThat(received).filteredOn(r -> r.what().equals("STARTTLS")).singleElement()
                    .extracting(StartTlsSmtpServer.Received::overTls).isEqualTo(false);
            assertThat(received).contains(new StartTlsSmtpServer.Received("user winch", true),
                    new StartTlsSmtpServer.Received("password " + PASSWORD, true));
            assertThat(received).filteredOn(r -> r.what().startsWith("MAIL FROM"))
                    .allMatch(StartTlsSmtpServer.Received::overTls);
            assertThat(server.mails()).singleElement().asString()
                    .contains("Subject: [Winch] APPLIED demo/deployment/web", "To: ops@example.com,dev@example.com");
        } finally {
            server.close();
        }
    }

    @Test
    void starttlsWithoutTheCaRefusesTheServerBeforeLoggingIn() {
        StartTlsSmtpServer server = StartTlsSmtpServer.start(vertx, certificates.serverCertificatePem(),
                certificates.serverKeyPem());
        try {
            Channel channel = smtp("localhost", server.port(), """
                    tls: starttls
                    username: winch
                    password: {env: SMTP_PASSWORD, encoding: base64}
                    """);

            assertThat(channel.send(notification).await()).isInstanceOf(Delivery.Retry.class);
            assertThat(server.received()).noneMatch(r -> r.what().startsWith("password"));
            assertThat(server.mails()).isEmpty();
        } finally {
            server.close();
        }
    }

    @Test
    void starttlsIsRequiredNotOptional() {
        // GreenMail does not offer STARTTLS: a channel that asked for it must not fall back to plain text
        Channel channel = smtp("127.0.0.1", plainPort(), """
                tls: starttls
                username: winch
                password: {env: SMTP_PASSWORD, encoding: base64}
                """);

        Delivery delivery = channel.send(notification).await();

        assertThat(delivery).isNotInstanceOf(Delivery.Delivered.class);
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void aServerThatIsNotThereIsARetry() {
        Channel channel = smtp("127.0.0.1", 1, "tls: none");

        assertThat(channel.send(notification).await()).isInstanceOf(Delivery.Retry.class);
    }

    @Test
    void aDigestIsOneMail() throws Exception {
        Channel channel = smtp("127.0.0.1", plainPort(), "tls: none");

        assertThat(channel.send(Results.digest()).await()).isEqualTo(new Delivery.Delivered(250));

        MimeMessage mail = greenMail.getReceivedMessages()[0];
        assertThat(mail.getSubject()).isEqualTo("[Winch] 3 results for demo/deployment/web in the last minute");
        assertThat(parts(mail).get("text/plain")).contains("scaled from 2 to 3", "scaled from 3 to 9");
    }

    private static Map<String, String> parts(MimeMessage mail) throws Exception {
        Map<String, String> parts = new HashMap<>();
        List<BodyPart> all = new ArrayList<>();
        collect((MimeMultipart) mail.getContent(), all);
        for (BodyPart part : all) {
            String type = part.getContentType().split(";")[0].trim().toLowerCase();
            parts.put(type, part.getContent().toString());
        }
        return parts;
    }

    private static void collect(MimeMultipart multipart, List<BodyPart> into) throws Exception {
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.getContent() instanceof MimeMultipart nested) {
                collect(nested, into);
            } else {
                into.add(part);
            }
        }
    }
}
