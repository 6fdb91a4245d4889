package dev.winch.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.config.ServiceConfig;
import dev.winch.common.event.Event;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.runtime.ServiceMain;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.testkit.EmbeddedKafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A service on a cluster secured as production ones are: a broker with a SASL_SSL listener (SCRAM-SHA-512, PLAIN,
 * OAUTHBEARER) and a mutual-TLS listener, its certificate from a CA made for the test. The service is configured only
 * through {@code KAFKA_*} variables, as in a Kubernetes Deployment, and must publish and consume; a wrong password
 * or a CA it does not trust must show as a clear failure on {@code /health/ready}, not as a silent hang.
 */
class SecuredKafkaIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String USER = "winch";
    private static final String PASSWORD = "scram-pw-7f3a";
    private static final String STORE_PASSWORD = "store-pw-91c2";

    private static TestCertificates.Authority clusterCa;
    private static EmbeddedKafkaBroker broker;
    private static Path files;
    private static Vertx client;
    private static WebClient http;
    private ServiceRuntime runtime;

    /** The shape of a service config, for the start-up line. */
    private record AnyServiceConfig(RuntimeConfig runtime) implements ServiceConfig {
    }

    @BeforeAll
    static void startSecuredBroker() throws IOException {
        clusterCa = TestCertificates.authority("Winch Test Cluster CA");
        broker = EmbeddedKafkaBroker.startSecured(clusterCa, Map.of(USER, PASSWORD));
        files = Files.createTempDirectory("winch-tls-");
        client = Vertx.vertx();
        http = WebClient.create(client);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (http != null) {
            http.close();
            client.close().await(10, TimeUnit.SECONDS);
        }
        if (broker != null) {
            broker.close();
        }
        if (files != null) {
            try (Stream<Path> paths = Files.walk(files)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterEach
    void closeRuntime() throws Exception {
        if (runtime != null) {
            runtime.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void publishesAndConsumesOverSaslSslWithScramAndAPemTruststoreFromVariables() throws Exception {
        Map<String, String> env = saslSsl("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule",
                PASSWORD);
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_CERTIFICATES", clusterCa.certificatePem());

        assertPublishesAndConsumes(env, "scram");
    }

    @Test
    void logsInWithPlainOverSaslSslToo() throws Exception {
        Map<String, String> env = saslSsl("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule", PASSWORD);
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_CERTIFICATES", clusterCa.certificatePem());

        assertPublishesAndConsumes(env, "plain");
    }

    @Test
    void logsInWithOauthBearerOverSaslSsl() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.saslSslBootstrapServers());
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("KAFKA_SASL_MECHANISM", "OAUTHBEARER");
        // Kafka's unsecured token, as the test broker takes it; a real cluster adds the token endpoint settings.
        env.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule "
                + "required unsecuredLoginStringClaim_sub=\"" + USER + "\";");
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_CERTIFICATES", clusterCa.certificatePem());

        assertPublishesAndConsumes(env, "oauth");
    }

    @Test
    void publishesAndConsumesOverMutualTlsWithAClientCertificateFromPkcs12Files() throws Exception {
        TestCertificates.Identity service = clusterCa.issue("winch-scaler");
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.sslBootstrapServers());
        env.put("KAFKA_SECURITY_PROTOCOL", "SSL");
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
        env.put("KAFKA_SSL_TRUSTSTORE_LOCATION",
                clusterCa.writeTruststore(files.resolve("ca.p12"), STORE_PASSWORD).toString());
        env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", STORE_PASSWORD);
        env.put("KAFKA_SSL_KEYSTORE_TYPE", "PKCS12");
        env.put("KAFKA_SSL_KEYSTORE_LOCATION",
                service.writeKeystore(files.resolve("scaler.p12"), STORE_PASSWORD).toString());
        env.put("KAFKA_SSL_KEYSTORE_PASSWORD", STORE_PASSWORD);
        env.put("KAFKA_SSL_KEY_PASSWORD", STORE_PASSWORD);

        assertPublishesAndConsumes(env, "mtls");
    }

    @Test
    void publishesOverMutualTlsWithTheCertificateAndKeyAsPemInVariables() throws Exception {
        TestCertificates.Identity service = clusterCa.issue("winch-upgrader");
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.sslBootstrapServers());
        env.put("KAFKA_SECURITY_PROTOCOL", "SSL");
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_CERTIFICATES", clusterCa.certificatePem());
        env.put("KAFKA_SSL_KEYSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_KEYSTORE_CERTIFICATE_CHAIN", service.certificateChainPem());
        env.put("KAFKA_SSL_KEYSTORE_KEY", service.privateKeyPem());

        assertPublishesAndConsumes(env, "mtls-pem");
    }

    @Test
    void aTopicFollowerReadsTheWholeTopicOverSaslSslWithTheServiceSettings() throws Exception {
        Map<String, String> env = saslSsl("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule",
                PASSWORD);
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_CERTIFICATES", clusterCa.certificatePem());
        String topic = KafkaBrokerExtension.uniqueName("it-secured-follow");
        broker.createTopic(topic, 2);
        runtime = ServiceRuntime.create(config(env, "follow"));
        runtime.publisher().send(runtime.codec().toRecord(topic, scale("follow-0"))).await(30, TimeUnit.SECONDS);
        List<String> keys = new CopyOnWriteArrayList<>();

        TopicFollower follower = new TopicFollower(runtime.vertx(), runtime.config().kafka(), List.of(topic),
                TopicFollower.From.BEGINNING, record -> keys.add(record.key()));
        try {
            follower.start().await(30, TimeUnit.SECONDS);
            assertThat(keys).hasSize(1);
        } finally {
            follower.stop().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWrongPasswordShowsAsAnAuthenticationFailureOnReadiness() throws Exception {
        Map<String, String> env = saslSsl("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule",
                "not-the-password");
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_CERTIFICATES", clusterCa.certificatePem());

        assertKafkaCheckFailsWith(env, "Authentication failed", "invalid credentials", "SCRAM-SHA-512");
    }

    @Test
    void aClusterCertificateTheServiceDoesNotTrustShowsAsATlsHandshakeFailure() throws Exception {
        Map<String, String> env = saslSsl("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule",
                PASSWORD);
        // Trusts a CA, but not the one that issued the broker's certificate.
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_CERTIFICATES", TestCertificates.authority("Some Other CA").certificatePem());

        assertKafkaCheckFailsWith(env, "SSL handshake failed");
    }

    @Test
    void mutualTlsWithoutAClientCertificateIsRefused() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.sslBootstrapServers());
        env.put("KAFKA_SECURITY_PROTOCOL", "SSL");
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_CERTIFICATES", clusterCa.certificatePem());

        // TLS 1.3: the broker refuses the missing certificate after the client's side of the handshake is done.
        assertKafkaCheckFailsWith(env, "SslAuthenticationException");
    }

    @Test
    void theStartUpLineShowsTheSettingsButNotThePassword() {
        Map<String, String> env = saslSsl("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule",
                PASSWORD);
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_CERTIFICATES", clusterCa.certificatePem());
        Env variables = new Env(env);
        RuntimeConfig config = RuntimeConfig.fromEnv("scaler", variables);
        variables.validate();

        String line = ServiceMain.startedLine(new AnyServiceConfig(config), 9090);

        assertThat(line).startsWith("scaler started; management on port 9090; configuration ")
                .contains("bootstrap.servers=" + broker.saslSslBootstrapServers(), "security.protocol=SASL_SSL",
                        "sasl.mechanism=SCRAM-SHA-512", "sasl.jaas.config=******",
                        "ssl.truststore.certificates=(PEM, 1 block)")
                .doesNotContain(PASSWORD, USER + "\"");
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, String> saslSsl(String mechanism, String loginModule, String password) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.saslSslBootstrapServers());
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("KAFKA_SASL_MECHANISM", mechanism);
        env.put("KAFKA_SASL_JAAS_CONFIG",
                loginModule + " required username=\"" + USER + "\" password=\"" + password + "\";");
        return env;
    }

    private RuntimeConfig config(Map<String, String> kafkaVariables, String name) {
        Map<String, String> variables = new HashMap<>(kafkaVariables);
        variables.put("WINCH_MANAGEMENT_PORT", "0");
        variables.put("WINCH_CONSUMER_GROUP", KafkaBrokerExtension.uniqueName("it-secured-" + name));
        Env env = new Env(variables);
        RuntimeConfig config = RuntimeConfig.fromEnv("it-secured", env);
        env.validate();
        return config;
    }

    private void assertPublishesAndConsumes(Map<String, String> kafkaVariables, String name) throws Exception {
        String topic = KafkaBrokerExtension.uniqueName("it-secured-" + name);
        broker.createTopic(topic, 2);
        runtime = ServiceRuntime.create(config(kafkaVariables, name));
        List<String> handled = new CopyOnWriteArrayList<>();
        runtime.consume(List.of(topic), event -> {
            handled.add(event.id());
            return Future.succeededFuture();
        }).await(30, TimeUnit.SECONDS);

        for (int i = 0; i < 3; i++) {
            runtime.publisher().send(runtime.codec().toRecord(topic, scale(name + "-" + i)))
                    .await(30, TimeUnit.SECONDS);
        }

        await().atMost(WAIT).untilAsserted(() ->
                assertThat(handled).containsExactlyInAnyOrder(name + "-0", name + "-1", name + "-2"));
        int port = runtime.startManagement("127.0.0.1").await(10, TimeUnit.SECONDS);
        runtime.markStarted();
        await().atMost(WAIT).untilAsserted(() -> assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200));
    }

    private void assertKafkaCheckFailsWith(Map<String, String> kafkaVariables, String... reason) throws Exception {
        runtime = ServiceRuntime.create(config(kafkaVariables, "refused"));
        int port = runtime.startManagement("127.0.0.1").await(10, TimeUnit.SECONDS);
        runtime.markStarted();

        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<Buffer> ready = get(port, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonObject kafka = check(ready, "kafka");
            assertThat(kafka.getString("status")).isEqualTo("DOWN");
            assertThat(kafka.getJsonObject("data").getString("reason")).contains(reason);
        });
    }

    private static HttpResponse<Buffer> get(int port, String path) throws Exception {
        return http.get(port, "127.0.0.1", path).timeout(10_000).send().await(15, TimeUnit.SECONDS);
    }

    private static JsonObject check(HttpResponse<Buffer> response, String id) {
        return response.bodyAsJsonObject().getJsonArray("checks").stream()
                .map(JsonObject.class::cast)
                .filter(c -> id.equals(c.getString("id")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no check '" + id + "' in " + response.bodyAsString()));
    }

    private static Event<ServiceScaleRequested> scale(String id) {
        return new Event<>(id, URI.create("/winch/it"), Instant.now(), new ServiceScaleRequested("it",
                new WorkloadRef("shop", "deployment", "web"), ScaleAction.UP, 1, 1, 3, 0));
    }
}
