package dev.winch.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.kafka.KafkaClientSettings.Client;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"winch\" password=\"s3cr3t-pw\";";
    private static final String CA_PEM = """
            -----BEGIN CERTIFICATE-----
            MIIBdzCCAR2gAwIBAgIGAZ0000000wCgYIKoZIzj0EAwIwGDEWMBQGA1UEAwwNV2lu
            -----END CERTIFICATE-----
            """;
    private static final String KEY_PEM = """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAAAAAAAAAAAAAAAAAAAA
            -----END PRIVATE KEY-----
            """;

    private static KafkaClientSettings read(Map<String, String> variables) {
        Env env = new Env(variables);
        KafkaClientSettings settings = RuntimeConfig.fromEnv("scaler", env).kafka();
        env.validate();
        return settings;
    }

    private static ConfigException refused(Map<String, String> variables) {
        Env env = new Env(variables);
        RuntimeConfig.fromEnv("scaler", env);
        try {
            env.validate();
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("accepted " + variables);
    }

    @Test
    void everyKafkaVariableBecomesTheClientSettingOfTheSameName() {
        KafkaClientSettings settings = read(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-0.kafka:9093,kafka-1.kafka:9093",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", JAAS,
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/winch/kafka/ca.p12",
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", "store-pw",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12"));

        for (Map<String, Object> config : List.<Map<String, Object>>of(new HashMap<>(settings.producer("scaler")),
                settings.consumer("winch-scaler", "scaler-1"), settings.reader(), new HashMap<>(settings.admin()))) {
            assertThat(config)
                    .containsEntry("bootstrap.servers", "kafka-0.kafka:9093,kafka-1.kafka:9093")
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("sasl.jaas.config", JAAS)
                    .containsEntry("ssl.truststore.location", "/etc/winch/kafka/ca.p12")
                    .containsEntry("ssl.truststore.password", "store-pw")
                    .containsEntry("ssl.truststore.type", "PKCS12");
        }
        // Winch's own settings are still there.
        assertThat(settings.producer("scaler")).containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
                .containsEntry("client.id", "scaler");
        assertThat(settings.consumer("winch-scaler", "scaler-1")).containsEntry("enable.auto.commit", "false")
                .containsEntry("group.id", "winch-scaler");
    }

    @Test
    void aSettingGoesOnlyToTheClientsThatKnowItAndAClientPrefixWins() {
        KafkaClientSettings settings = read(Map.of(
                "KAFKA_LINGER_MS", "5",
                "KAFKA_REQUEST_TIMEOUT_MS", "4000",
                "KAFKA_ADMIN_REQUEST_TIMEOUT_MS", "9000",
                "KAFKA_PRODUCER_DELIVERY_TIMEOUT_MS", "20000",
                "KAFKA_CONSUMER_MAX_POLL_RECORDS", "50"));

        assertThat(settings.producer("p")).containsEntry("linger.ms", "5").containsEntry("request.timeout.ms", "4000")
                .containsEntry("delivery.timeout.ms", "20000").doesNotContainKey("max.poll.records");
        assertThat(settings.consumer("g", "c")).doesNotContainKey("linger.ms")
                .containsEntry("request.timeout.ms", "4000").containsEntry("max.poll.records", "50");
        assertThat(settings.admin()).containsEntry("request.timeout.ms", "9000").doesNotContainKey("linger.ms");
    }

    @Test
    void refusesWhatWinchMustControlNamingTheVariable() {
        ConfigException e = refused(Map.of(
                "KAFKA_ENABLE_AUTO_COMMIT", "true",
                "KAFKA_ACKS", "1",
                "KAFKA_PRODUCER_ENABLE_IDEMPOTENCE", "false",
                "KAFKA_PRODUCER_MAX_BLOCK_MS", "60000",
                "KAFKA_GROUP_ID", "other",
                "KAFKA_VALUE_DESERIALIZER", "org.apache.kafka.common.serialization.StringDeserializer",
                "KAFKA_CONSUMER_AUTO_OFFSET_RESET", "latest",
                "KAFKA_CONSUMER_BOOTSTRAP_SERVERS", "elsewhere:9092"));

        assertThat(e.problems()).hasSize(8);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("KAFKA_ENABLE_AUTO_COMMIT cannot be set: Winch sets enable.auto.commit itself"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("KAFKA_ACKS cannot be set").contains("acks=all"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("KAFKA_PRODUCER_MAX_BLOCK_MS cannot be set"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("KAFKA_GROUP_ID cannot be set")
                .contains("WINCH_CONSUMER_GROUP"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("KAFKA_CONSUMER_BOOTSTRAP_SERVERS cannot be set").contains("KAFKA_BOOTSTRAP_SERVERS"));
    }

    @Test
    void refusesANameNoClientKnowsAndAValueKafkaWouldNotTake() {
        ConfigException e = refused(Map.of(
                "KAFKA_SECURITY_PROTOCAL", "SSL",
                "KAFKA_CONSUMER_LINGER_MS", "5",
                "KAFKA_SECURITY_PROTOCOL", "TLS",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SESSION_TIMEOUT_MS", "soon"));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("KAFKA_SECURITY_PROTOCAL names "
                + "'security.protocal', which is not a setting of the Kafka producer, consumer or admin client"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("KAFKA_CONSUMER_LINGER_MS names 'linger.ms', which is not a setting of the Kafka consumer"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("KAFKA_SECURITY_PROTOCOL: ")
                .contains("TLS", "security.protocol"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("KAFKA_SESSION_TIMEOUT_MS: ")
                .contains("soon"));
        assertThat(e.getMessage()).doesNotContain("KAFKA_SSL_TRUSTSTORE_TYPE");
    }

    @Test
    void refusesSettingsThatBreakTheIdempotentProducerOrItsTimeouts() {
        ConfigException e = refused(Map.of(
                "KAFKA_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION", "10",
                "KAFKA_PRODUCER_RETRIES", "0",
                "KAFKA_REQUEST_TIMEOUT_MS", "30000"));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("KAFKA_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION must be at most 5"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("KAFKA_PRODUCER_RETRIES must not be 0"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("delivery.timeout.ms (5000)")
                .contains("KAFKA_PRODUCER_DELIVERY_TIMEOUT_MS"));
    }

    @Test
    void takesPemCertificatesAndKeysInVariables() {
        KafkaClientSettings settings = read(Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SSL",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SSL_TRUSTSTORE_CERTIFICATES", CA_PEM,
                "KAFKA_SSL_KEYSTORE_TYPE", "PEM",
                "KAFKA_SSL_KEYSTORE_CERTIFICATE_CHAIN", CA_PEM,
                "KAFKA_SSL_KEYSTORE_KEY", KEY_PEM));

        assertThat(settings.consumer("g", "c")).containsEntry("ssl.truststore.certificates", CA_PEM.trim())
                .containsEntry("ssl.keystore.key", KEY_PEM.trim());
    }

    @Test
    void masksEverySecretInWhatTheStartUpLinePrints() {
        Map<String, String> variables = new HashMap<>();
        variables.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        variables.put("KAFKA_SASL_JAAS_CONFIG", JAAS);
        variables.put("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/winch/kafka/ca.p12");
        variables.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", "store-pw");
        variables.put("KAFKA_SSL_KEYSTORE_TYPE", "PEM");
        variables.put("KAFKA_SSL_KEYSTORE_KEY", KEY_PEM);
        variables.put("KAFKA_SSL_KEYSTORE_CERTIFICATE_CHAIN", CA_PEM + CA_PEM);
        variables.put("KAFKA_SSL_KEY_PASSWORD", "key-pw");
        variables.put("KAFKA_PRODUCER_LINGER_MS", "2");
        variables.put("KAFKA_SASL_OAUTHBEARER_CLIENT_CREDENTIALS_CLIENT_SECRET", "oauth-secret");

        String line = RuntimeConfig.fromEnv("scaler", new Env(variables)).toString();

        assertThat(line).doesNotContain("s3cr3t-pw", "store-pw", "key-pw", "oauth-secret", "MIGHAgEA", "MIIBdzCC")
                .contains("security.protocol=SASL_SSL", "sasl.jaas.config=******", "ssl.truststore.password=******",
                        "ssl.keystore.key=******", "ssl.key.password=******",
                        "sasl.oauthbearer.client.credentials.client.secret=******",
                        "ssl.truststore.location=/etc/winch/kafka/ca.p12",
                        "ssl.keystore.certificate.chain=(PEM, 2 blocks)", "producer.linger.ms=2")
                .doesNotContain("\n");
    }

    @Test
    void leavesKubernetesServiceLinksAndKafkaScriptVariablesAlone() {
        KafkaClientSettings settings = read(Map.of(
                "KAFKA_SERVICE_HOST", "10.96.0.12",
                "KAFKA_SERVICE_PORT", "9092",
                "KAFKA_SERVICE_PORT_TCP_CLIENTS", "9092",
                "KAFKA_PORT", "tcp://10.96.0.12:9092",
                "KAFKA_PORT_9092_TCP", "tcp://10.96.0.12:9092",
                "KAFKA_PORT_9092_TCP_ADDR", "10.96.0.12",
                "KAFKA_UI_SERVICE_HOST", "10.96.0.13",
                "KAFKA_UI_PORT_8080_TCP_PORT", "8080",
                "KAFKA_HEAP_OPTS", "-Xmx1g"));

        for (Client client : Client.values()) {
            assertThat(settings.given(client)).as(client.name()).isEmpty();
        }
    }

    @Test
    void readsDoubleAndTripleUnderscoresAsDashAndUnderscore() {
        assertThat(KafkaClientSettings.propertyName("SSL_KEYSTORE_TYPE")).isEqualTo("ssl.keystore.type");
        assertThat(KafkaClientSettings.propertyName("MY__PLUGIN___SETTING_X")).isEqualTo("my-plugin_setting.x");
        assertThat(KafkaClientSettings.propertyName("A____B")).isNull();
        assertThat(KafkaClientSettings.propertyName("_A")).isNull();

        ConfigException e = refused(Map.of("KAFKA_A____B", "x"));
        assertThat(e.getMessage()).startsWith("KAFKA_A____B is not a Kafka client setting");
    }

    @Test
    void noKafkaVariableButTheBootstrapServersIsAPlaintextClusterAsBefore() {
        KafkaClientSettings settings = read(Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"));

        assertThat(settings).isEqualTo(KafkaClientSettings.plaintext("kafka:9092"));
        assertThat(settings.producer("gateway")).isEqualTo(KafkaSettings.producer("kafka:9092", "gateway"));
        assertThat(settings.consumer("g", "c")).isEqualTo(KafkaSettings.consumer("kafka:9092", "g", "c"));
        assertThat(settings.admin()).isEqualTo(KafkaSettings.admin("kafka:9092"));
        assertThat(settings.toString()).isEqualTo("{bootstrap.servers=kafka:9092}");
    }

    @Test
    void noProtectedSettingIsUnknownToKafka() {
        assertThat(KafkaClientSettings.knownSettings()).containsAll(KafkaClientSettings.PROTECTED.keySet());
        assertThatCode(() -> KafkaClientSettings.isSecret("ssl.keystore.location")).doesNotThrowAnyException();
        assertThat(KafkaClientSettings.isSecret("ssl.keystore.location")).isFalse();
        assertThat(KafkaClientSettings.isSecret("ssl.keystore.key")).isTrue();
        assertThat(KafkaClientSettings.isSecret("sasl.oauthbearer.assertion.private.key.file")).isTrue();
    }

    @Test
    void aClientPrefixAloneIsNoSetting() {
        assertThatThrownBy(() -> read(Map.of("KAFKA_PRODUCER_", "x"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("KAFKA_PRODUCER_ is not a Kafka client setting");
    }
}
