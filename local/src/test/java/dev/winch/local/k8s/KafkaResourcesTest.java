package dev.winch.local.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.event.Topics;
import dev.winch.host.HostConfig;
import dev.winch.notifier.NotifierConfig;
import dev.winch.scaler.ScalerConfig;
import dev.winch.upgrader.UpgraderConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.StreamSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The Strimzi resources agree with the code: a KafkaTopic for every topic the services use, set up as they need
 * it; one KafkaUser per service allowed exactly the topics and consumer groups that service uses; each service
 * connecting over the TLS listener as its own user. And the cluster is one that keeps acknowledged writes.
 */
class KafkaResourcesTest {

    static final List<String> STRIMZI_OVERLAYS = Kustomize.STRIMZI_OVERLAYS;
    static final List<String> OVERLAYS = Kustomize.OVERLAYS;

    /** Each service's Deployment and the Kafka user it connects as. */
    static final Map<String, String> SERVICE_USERS = Map.of(
            "gateway", "winch-gateway",
            "scaler-service", "winch-scaler",
            "upgrader-service", "winch-upgrader",
            "host-service", "winch-host",
            "notifier-service", "winch-notifier");

    /** The consumer groups the workers use by default, as their configuration computes them. */
    static final Map<String, String> DEFAULT_GROUPS = Map.of(
            "scaler-service", ScalerConfig.fromEnv(Map.of()).runtime().consumerGroup(),
            "upgrader-service", UpgraderConfig.fromEnv(Map.of()).runtime().consumerGroup(),
            "host-service", HostConfig.fromEnv(Map.of()).runtime().consumerGroup(),
            "notifier-service", NotifierConfig.fromEnv(Map.of()).runtime().consumerGroup());

    /** Topics of the notifier's delivery (marks and notification dead letters) that Topics may not name yet. */
    private static final Set<String> NOTIFIER_DELIVERY_TOPICS =
            Set.of("winch.notifications.delivered", "winch.notifications.dlq");
    private static final Set<String> COMPACTED = Set.of(Topics.RECEIVERS, "winch.notifications.delivered");

    /**
     * What each user may do, as "type name operation" (a "*" after the name: every name with that prefix). Exact:
     * a new right is added here on purpose, so it gets reviewed.
     */
    static final Map<String, Set<String>> EXPECTED_ACLS = Map.of(
            "winch-gateway", acls(
                    "topic winch.service.scale Describe Read Write", "topic winch.host.scale Describe Read Write",
                    "topic winch.image.pushed Describe Read Write", "topic winch.receivers Describe Read Write",
                    "topic winch.results Describe Read",
                    // the console: dead letters read and counted, lag of the services' groups
                    "topic winch.k8s.events Describe", "topic winch.notifications.delivered Describe",
                    "topic winch.service.scale.dlq Describe Read", "topic winch.host.scale.dlq Describe Read",
                    "topic winch.image.pushed.dlq Describe Read", "topic winch.results.dlq Describe Read",
                    "topic winch.k8s.events.dlq Describe Read", "topic winch.notifications.dlq Describe Read",
                    "group winch-* Describe"),
            "winch-scaler", acls("topic winch.service.scale Describe Read", "group winch-scaler Read",
                    "topic winch.service.scale.dlq Describe Write", "topic winch.results Describe Write"),
            "winch-upgrader", acls("topic winch.image.pushed Describe Read", "group winch-upgrader Read",
                    "topic winch.image.pushed.dlq Describe Write", "topic winch.results Describe Write"),
            "winch-host", acls("topic winch.host.scale Describe Read", "group winch-host Read",
                    "topic winch.host.scale.dlq Describe Write", "topic winch.results Describe Write"),
            "winch-notifier", acls("topic winch.results Describe Read", "group winch-notifier* Read",
                    "topic winch.results.dlq Describe Write", "topic winch.receivers Describe Read",
                    "topic winch.notifications.delivered Describe Read Write",
                    "topic winch.notifications.dlq Describe Write",
                    "topic winch.k8s.events Describe Read Write", "topic winch.k8s.events.dlq Describe Write"));

    @ParameterizedTest
    @FieldSource("STRIMZI_OVERLAYS")
    void everyTopicTheServicesUseIsAKafkaTopicOfTheCluster(String overlay) throws IllegalAccessException {
        Manifests manifests = Manifests.of(overlay);
        String cluster = kafka(manifests).path("metadata").path("name").asText();
        Set<String> declared = new TreeSet<>();
        SoftAssertions softly = new SoftAssertions();
        for (JsonNode topic : manifests.all("KafkaTopic")) {
            String name = topicName(topic);
            declared.add(name);
            softly.assertThat(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .as("%s: KafkaTopic %s belongs to Kafka %s", manifests, name, cluster).isEqualTo(cluster);
            softly.assertThat(topic.path("spec").path("partitions").asInt()).as("%s: partitions of %s", manifests, name)
                    .isPositive();
        }
        Set<String> used = topicsInTheCode();
        softly.assertThat(declared).as("%s: KafkaTopics", manifests).containsAll(used);
        Set<String> extra = new TreeSet<>(declared);
        extra.removeAll(used);
        softly.assertThat(extra).as("%s: KafkaTopics no service uses", manifests).isSubsetOf(NOTIFIER_DELIVERY_TOPICS);
        softly.assertAll();
    }

    @ParameterizedTest
    @FieldSource("STRIMZI_OVERLAYS")
    void stateTopicsAreCompactedAndEventTopicsExpire(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        SoftAssertions softly = new SoftAssertions();
        for (JsonNode topic : manifests.all("KafkaTopic")) {
            String name = topicName(topic);
            JsonNode config = topic.path("spec").path("config");
            if (COMPACTED.contains(name)) {
                softly.assertThat(config.path("cleanup.policy").asText()).as("%s: %s cleanup.policy", manifests, name)
                        .isEqualTo("compact");
            } else {
                softly.assertThat(config.path("cleanup.policy").asText("delete")).as("%s: %s cleanup.policy",
                        manifests, name).isEqualTo("delete");
                softly.assertThat(config.path("retention.ms").asLong()).as("%s: %s retention.ms", manifests, name)
                        .isPositive();
            }
        }
        for (String topic : Topics.EVENT_TOPICS) {
            long retention = manifests.get("KafkaTopic", topic).path("spec").path("config").path("retention.ms").asLong();
            long dlqRetention = manifests.get("KafkaTopic", Topics.deadLetter(topic)).path("spec").path("config")
                    .path("retention.ms").asLong();
            softly.assertThat(dlqRetention).as("%s: dead letters of %s are kept at least as long as the topic",
                    manifests, topic).isGreaterThanOrEqualTo(retention);
        }
        softly.assertAll();
    }

    @ParameterizedTest
    @FieldSource("STRIMZI_OVERLAYS")
    void kafkaRunsInKRaftModeWithAuthenticatedTlsAndAuthorization(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        JsonNode kafka = kafka(manifests);
        String cluster = kafka.path("metadata").path("name").asText();
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(kafka.path("spec").has("zookeeper")).as("%s: no ZooKeeper (KRaft)", manifests).isFalse();
        softly.assertThat(kafka.path("spec").path("kafka").has("replicas") || kafka.path("spec").path("kafka").has("storage"))
                .as("%s: nodes and storage come from KafkaNodePools", manifests).isFalse();
        JsonNode listener = scramListener(manifests);
        softly.assertThat(listener.path("type").asText()).as("%s: listener type", manifests).isEqualTo("internal");
        softly.assertThat(kafka.path("spec").path("kafka").path("listeners").size())
                .as("%s: one listener, the authenticated one", manifests).isEqualTo(1);
        softly.assertThat(kafka.path("spec").path("kafka").path("authorization").path("type").asText())
                .as("%s: authorization", manifests).isEqualTo("simple");
        JsonNode config = kafka.path("spec").path("kafka").path("config");
        softly.assertThat(config.path("auto.create.topics.enable").asBoolean(true))
                .as("%s: auto.create.topics.enable", manifests).isFalse();

        int controllers = 0;
        int brokers = 0;
        for (JsonNode pool : manifests.all("KafkaNodePool")) {
            softly.assertThat(pool.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .as("%s: KafkaNodePool %s cluster", manifests, Manifests.name(pool)).isEqualTo(cluster);
            List<String> roles = Manifests.texts(pool.path("spec").path("roles"));
            int replicas = pool.path("spec").path("replicas").asInt();
            controllers += roles.contains("controller") ? replicas : 0;
            brokers += roles.contains("broker") ? replicas : 0;
        }
        int replication = config.path("default.replication.factor").asInt();
        int minInSync = config.path("min.insync.replicas").asInt();
        softly.assertThat(controllers % 2).as("%s: an odd number of KRaft controllers (%d)", manifests, controllers)
                .isEqualTo(1);
        softly.assertThat(brokers).as("%s: brokers for default.replication.factor %d", manifests, replication)
                .isGreaterThanOrEqualTo(replication);
        softly.assertThat(config.path("offsets.topic.replication.factor").asInt())
                .as("%s: offsets.topic.replication.factor", manifests).isEqualTo(replication);
        if (brokers > 1) {
            // acks=all with min.insync.replicas < replicas: one broker may be down and writes still succeed
            softly.assertThat(minInSync).as("%s: min.insync.replicas", manifests).isBetween(2, replication - 1);
            softly.assertThat(controllers).as("%s: controllers", manifests).isGreaterThanOrEqualTo(3);
        } else {
            softly.assertThat(replication).as("%s: one broker, one replica", manifests).isEqualTo(1);
            softly.assertThat(minInSync).as("%s: one broker, min.insync.replicas", manifests).isEqualTo(1);
        }
        softly.assertAll();
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyServiceConnectsAsItsOwnUserOverTls(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        JsonNode config = manifests.get("ConfigMap", "winch-config").path("data");
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(config.path("KAFKA_SECURITY_PROTOCOL").asText()).as("%s: KAFKA_SECURITY_PROTOCOL", manifests)
                .isEqualTo("SASL_SSL");
        softly.assertThat(config.path("KAFKA_SASL_MECHANISM").asText()).as("%s: KAFKA_SASL_MECHANISM", manifests)
                .isEqualTo("SCRAM-SHA-512");
        softly.assertThat(config.path("KAFKA_SSL_TRUSTSTORE_TYPE").asText()).as("%s: KAFKA_SSL_TRUSTSTORE_TYPE",
                manifests).isEqualTo("PEM");
        String caSecret = "winch-kafka-cluster-ca-cert";
        if (STRIMZI_OVERLAYS.contains(overlay)) {
            String cluster = Manifests.name(kafka(manifests));
            caSecret = cluster + "-cluster-ca-cert";
            softly.assertThat(config.path("KAFKA_BOOTSTRAP_SERVERS").asText())
                    .as("%s: KAFKA_BOOTSTRAP_SERVERS is the bootstrap Service of the SCRAM listener", manifests)
                    .isEqualTo(cluster + "-kafka-bootstrap.winch.svc:" + scramListener(manifests).path("port").asInt());
        }
        for (Map.Entry<String, String> service : SERVICE_USERS.entrySet()) {
            JsonNode container = container(manifests, service.getKey());
            softly.assertThat(secretRef(container, "KAFKA_SASL_JAAS_CONFIG"))
                    .as("%s: %s takes KAFKA_SASL_JAAS_CONFIG from its user's Secret", manifests, service.getKey())
                    .isEqualTo(service.getValue() + "/sasl.jaas.config");
            softly.assertThat(secretRef(container, "KAFKA_SSL_TRUSTSTORE_CERTIFICATES"))
                    .as("%s: %s trusts the cluster CA", manifests, service.getKey()).isEqualTo(caSecret + "/ca.crt");
        }
        softly.assertAll();
    }

    @ParameterizedTest
    @FieldSource("STRIMZI_OVERLAYS")
    void everyUserMayDoExactlyWhatItsServiceDoes(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        SoftAssertions softly = new SoftAssertions();
        Set<String> topics = new TreeSet<>();
        manifests.all("KafkaTopic").forEach(t -> topics.add(topicName(t)));
        for (String user : SERVICE_USERS.values()) {
            JsonNode kafkaUser = manifests.get("KafkaUser", user);
            softly.assertThat(kafkaUser.path("spec").path("authentication").path("type").asText())
                    .as("%s: %s authentication", manifests, user).isEqualTo("scram-sha-512");
            softly.assertThat(kafkaUser.path("spec").path("authorization").path("type").asText())
                    .as("%s: %s authorization", manifests, user).isEqualTo("simple");
            softly.assertThat(acls(kafkaUser)).as("%s: ACLs of %s", manifests, user)
                    .containsExactlyInAnyOrderElementsOf(EXPECTED_ACLS.get(user));
        }
        for (JsonNode kafkaUser : manifests.all("KafkaUser")) {
            for (String acl : acls(kafkaUser)) {
                String[] parts = acl.split(" ");
                softly.assertThat(parts[1]).as("%s: %s grants %s: no wildcard", manifests, Manifests.name(kafkaUser), acl)
                        .isNotEqualTo("*");
                softly.assertThat(parts[2]).as("%s: %s grants %s", manifests, Manifests.name(kafkaUser), acl)
                        .isNotEqualTo("All");
                if (parts[0].equals("topic")) {
                    softly.assertThat(topics).as("%s: %s names a KafkaTopic", manifests, acl).contains(parts[1]);
                }
            }
        }
        softly.assertAll();
    }

    @org.junit.jupiter.api.Test
    void theGroupAclsAreTheGroupsTheWorkersJoin() {
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, String> worker : DEFAULT_GROUPS.entrySet()) {
            String user = SERVICE_USERS.get(worker.getKey());
            String group = worker.getValue();
            softly.assertThat(EXPECTED_ACLS.get(user)).as("%s reads in group %s", user, group)
                    .anyMatch(acl -> acl.startsWith("group " + group + " ") || acl.startsWith("group " + group + "* "));
        }
        softly.assertAll();
    }

    // ---------------------------------------------------------------- helpers

    /** The topic names Topics declares (its String constants) and the dead-letter topic of each event topic. */
    static Set<String> topicsInTheCode() throws IllegalAccessException {
        Set<String> topics = new TreeSet<>();
        for (Field field : Topics.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                topics.add((String) field.get(null));
            }
        }
        Topics.EVENT_TOPICS.forEach(t -> topics.add(Topics.deadLetter(t)));
        return topics;
    }

    static JsonNode kafka(Manifests manifests) {
        List<JsonNode> kafkas = manifests.all("Kafka");
        assertThat(kafkas).as("%s: one Kafka", manifests).hasSize(1);
        return kafkas.get(0);
    }

    /** The listener with SCRAM-SHA-512 over TLS, the one the services use. */
    static JsonNode scramListener(Manifests manifests) {
        return StreamSupport.stream(kafka(manifests).path("spec").path("kafka").path("listeners").spliterator(), false)
                .filter(l -> l.path("tls").asBoolean()
                        && l.path("authentication").path("type").asText().equals("scram-sha-512"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(manifests + ": no TLS listener with SCRAM-SHA-512"));
    }

    static String topicName(JsonNode topic) {
        return topic.path("spec").path("topicName").asText(Manifests.name(topic));
    }

    static JsonNode container(Manifests manifests, String deployment) {
        JsonNode containers = manifests.get("Deployment", deployment).path("spec").path("template").path("spec")
                .path("containers");
        return StreamSupport.stream(containers.spliterator(), false)
                .filter(c -> c.path("name").asText().equals(deployment)).findFirst()
                .orElseThrow(() -> new AssertionError(manifests + ": no container " + deployment));
    }

    /** "secret/key" of an environment variable taken from a Secret, or "" when it is not. */
    static String secretRef(JsonNode container, String variable) {
        return StreamSupport.stream(container.path("env").spliterator(), false)
                .filter(e -> e.path("name").asText().equals(variable))
                .map(e -> e.path("valueFrom").path("secretKeyRef"))
                .filter(JsonNode::isObject)
                .map(r -> r.path("name").asText() + "/" + r.path("key").asText())
                .findFirst().orElse("");
    }

    /** A KafkaUser's ACLs as "type name[*] operation", one entry per operation. */
    static Set<String> acls(JsonNode kafkaUser) {
        Set<String> acls = new TreeSet<>();
        for (JsonNode acl : kafkaUser.path("spec").path("authorization").path("acls")) {
            JsonNode resource = acl.path("resource");
            String name = resource.path("name").asText()
                    + (resource.path("patternType").asText("literal").equals("prefix") ? "*" : "");
            List<String> operations = new ArrayList<>(Manifests.texts(acl.path("operations")));
            if (acl.has("operation")) {
                operations.add(acl.path("operation").asText());
            }
            for (String operation : operations) {
                acls.add(resource.path("type").asText() + " " + name + " " + operation);
            }
        }
        return acls;
    }

    /** "type name Op1 Op2" lines to one "type name Op" entry per operation. */
    private static Set<String> acls(String... lines) {
        Set<String> acls = new TreeSet<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            for (int i = 2; i < parts.length; i++) {
                acls.add(parts[0] + " " + parts[1] + " " + parts[i]);
            }
        }
        return acls;
    }
}
