package dev.winch.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.winch.common.event.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docker compose up --scale scaler-service=3 --scale upgrader-service=2}, as the README shows it, must work:
 * a scaled service cannot publish a fixed host port (the second replica could not bind it) or carry a
 * {@code container_name}, and each topic needs at least as many partitions as replicas of a worker share it. No
 * Docker engine here: the files are parsed, not run.
 */
class ComposeScaleOutTest {

    /** The services that consume Kafka as a group: replicas of each may run side by side. */
    private static final List<String> WORKERS =
            List.of("scaler-service", "upgrader-service", "host-service", "notifier-service");
    private static final int MIN_PARTITIONS = 6;
    private static final Pattern SCALE = Pattern.compile("--scale\\s+([\\w.-]+)=(\\d+)");
    private static final Pattern PARTITIONS = Pattern.compile("--partitions\\s+(\\S+)");

    private static JsonNode compose;
    private static String readme;

    @BeforeAll
    static void readFiles() throws IOException {
        Path root = repositoryRoot();
        compose = new YAMLMapper().readTree(root.resolve("docker-compose.yml").toFile());
        readme = Files.readString(root.resolve("README.md"));
    }

    @Test
    void theReadmeShowsTheScaleCommandForServicesThatExist() {
        Map<String, Integer> scaled = scaleCommand();

        assertThat(scaled).containsEntry("scaler-service", 3).containsEntry("upgrader-service", 2);
        for (String service : scaled.keySet()) {
            assertThat(compose.path("services").has(service)).as("README scales %s, a compose service", service)
                    .isTrue();
        }
    }

    @Test
    void noWorkerPublishesAFixedHostPortOrHasAContainerName() {
        SoftAssertions softly = new SoftAssertions();
        List<String> scalable = new ArrayList<>(WORKERS);
        scaleCommand().keySet().stream().filter(s -> !scalable.contains(s)).forEach(scalable::add);
        for (String name : scalable) {
            JsonNode service = compose.path("services").path(name);
            softly.assertThat(service.has("container_name")).as("%s: container_name stops --scale", name).isFalse();
            for (JsonNode port : service.path("ports")) {
                softly.assertThat(hostPort(port)).as("%s: port %s has a fixed host port", name, port).isEmpty();
            }
        }
        softly.assertAll();
    }

    @Test
    void kafkaInitCreatesEveryTopicWithEnoughPartitionsForTheReplicas() {
        JsonNode init = compose.path("services").path("kafka-init");
        String script = String.join("\n", texts(init.path("entrypoint"))) + "\n"
                + String.join("\n", texts(init.path("command")));
        int needed = Math.max(MIN_PARTITIONS, scaleCommand().values().stream().mapToInt(Integer::intValue).max()
                .orElse(1));

        Matcher partitions = PARTITIONS.matcher(script);
        List<String> counts = new ArrayList<>();
        while (partitions.find()) {
            counts.add(partitions.group(1));
        }
        assertThat(counts).as("kafka-init: every --partitions").isNotEmpty()
                .allSatisfy(count -> assertThat(Integer.parseInt(count)).isGreaterThanOrEqualTo(needed));
        for (String topic : Topics.EVENT_TOPICS) {
            assertThat(script).as("kafka-init creates %s and its dead-letter topic", topic)
                    .contains(topic).contains(".dlq");
        }
        assertThat(script).contains(Topics.RECEIVERS);

        String brokerDefault = compose.path("services").path("kafka").path("environment")
                .path("KAFKA_NUM_PARTITIONS").asText("1");
        assertThat(Integer.parseInt(brokerDefault)).as("kafka: KAFKA_NUM_PARTITIONS for auto-created topics")
                .isGreaterThanOrEqualTo(needed);
    }

    @Test
    void replicasOfAWorkerShareOneConsumerGroup() {
        for (String name : WORKERS) {
            JsonNode group = compose.path("services").path(name).path("environment").path("WINCH_CONSUMER_GROUP");
            // Unset means winch-<service>, the same for every replica; a value must not vary per replica either.
            assertThat(group.isMissingNode() || !group.asText().contains("$")).as("%s: WINCH_CONSUMER_GROUP", name)
                    .isTrue();
        }
    }

    /** The host part of a published port: empty when Docker picks one. */
    private static String hostPort(JsonNode port) {
        if (port.isObject()) {
            return port.path("published").asText("");
        }
        String[] parts = port.asText().split("/")[0].split(":", -1);
        return parts.length >= 2 ? parts[parts.length - 2] : "";
    }

    private static Map<String, Integer> scaleCommand() {
        Map<String, Integer> scaled = new LinkedHashMap<>();
        for (String line : readme.lines().filter(l -> l.contains("docker compose up") && l.contains("--scale"))
                .toList()) {
            Matcher scale = SCALE.matcher(line);
            while (scale.find()) {
                scaled.put(scale.group(1), Integer.parseInt(scale.group(2)));
            }
        }
        assertThat(scaled).as("README: a `docker compose up --scale ...` command").isNotEmpty();
        return scaled;
    }

    private static List<String> texts(JsonNode node) {
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        List<String> texts = new ArrayList<>();
        node.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("README.md"))
                    && Files.isDirectory(dir.resolve("common"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
}
