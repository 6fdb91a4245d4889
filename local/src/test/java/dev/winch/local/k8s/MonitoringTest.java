package dev.winch.local.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.event.Outcome;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMetricsEndpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Prometheus Operator resources: every Winch pod is scraped where it serves its metrics, the alerts an operator
 * needs exist, and they ask for meters the services really register, with label values the code really writes (an
 * alert on a misspelt series never fires).
 */
class MonitoringTest {

    static final List<String> PRODUCTION_OVERLAYS = Kustomize.PRODUCTION_OVERLAYS;

    /** Alerts an operator needs, by what they say: 503s, lag, dead letters, FAILED results, a service not ready. */
    private static final List<String> REQUIRED_ALERTS = List.of("WinchGatewayRejectingWebhooks",
            "WinchConsumerLagGrowing", "WinchDeadLettersWritten", "WinchActionsFailed", "WinchServiceNotReady");
    /** Series from outside Winch the alerts use: Kafka Exporter, kube-state-metrics, Prometheus itself. */
    private static final Set<String> EXTERNAL_SERIES = Set.of("kafka_consumergroup_lag",
            "kube_deployment_status_replicas_unavailable", "up");

    private static final Pattern SERIES = Pattern.compile(
            "\\b(winch_[a-z0-9_]+|kafka_[a-z0-9_]+|kube_[a-z0-9_]+|up)\\b\\s*(\\{[^}]*})?");
    private static final Pattern MATCHER = Pattern.compile("(\\w+)\\s*(=~|=|!=|!~)\\s*\"([^\"]*)\"");
    private static String sources;

    @BeforeAll
    static void readSources() throws IOException {
        StringBuilder all = new StringBuilder();
        Path root = Kustomize.k8s().getParent();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/"))
                    .forEach(f -> {
                        try {
                            all.append(Files.readString(f)).append('\n');
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        sources = all.toString();
    }

    @ParameterizedTest
    @FieldSource("PRODUCTION_OVERLAYS")
    void everyServiceIsScrapedOnItsManagementPort(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        List<PodMonitor> monitors = manifests.all("PodMonitor", PodMonitor.class);
        SoftAssertions softly = new SoftAssertions();
        for (Deployment deployment : manifests.all("Deployment", Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
            List<PodMetricsEndpoint> endpoints = monitors.stream()
                    .filter(m -> NetworkPoliciesTest.matches(m.getSpec().getSelector(), labels))
                    .flatMap(m -> m.getSpec().getPodMetricsEndpoints().stream()).toList();
            softly.assertThat(endpoints).as("%s: PodMonitor endpoints of %s", manifests, name).hasSize(1);
            for (PodMetricsEndpoint endpoint : endpoints) {
                softly.assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                        .as("%s: %s has the port %s the PodMonitor scrapes", manifests, name, endpoint.getPort())
                        .anyMatch(p -> endpoint.getPort().equals(p.getName())
                                && String.valueOf(p.getContainerPort()).equals(annotations.get("prometheus.io/port")));
                softly.assertThat(endpoint.getPath()).as("%s: %s metrics path", manifests, name)
                        .isEqualTo(annotations.get("prometheus.io/path"));
            }
        }
        softly.assertAll();
    }

    @Test
    void kafkaExporterMeasuresTheLagOfEveryWinchGroupAndIsScraped() {
        Manifests prod = Manifests.of("prod");
        JsonNode kafka = KafkaResourcesTest.kafka(prod);
        String cluster = Manifests.name(kafka);
        JsonNode exporter = kafka.path("spec").path("kafkaExporter");
        assertThat(exporter.isObject()).as("prod: Kafka Exporter on").isTrue();
        for (Map.Entry<String, String> group : KafkaResourcesTest.DEFAULT_GROUPS.entrySet()) {
            assertThat(group.getValue()).as("groupRegex covers %s", group.getKey())
                    .matches(exporter.path("groupRegex").asText());
            assertThat(AutoscalingTest.WORKER_TOPICS.get(group.getKey())).as("topicRegex covers the topic of %s",
                    group.getKey()).matches(exporter.path("topicRegex").asText());
        }
        // The labels Strimzi gives the exporter's pod; its metrics port is named tcp-prometheus.
        Map<String, String> exporterPod = Map.of("strimzi.io/cluster", cluster, "strimzi.io/kind", "Kafka",
                "strimzi.io/name", cluster + "-kafka-exporter");
        List<PodMonitor> scraping = prod.all("PodMonitor", PodMonitor.class).stream()
                .filter(m -> NetworkPoliciesTest.matches(m.getSpec().getSelector(), exporterPod)).toList();
        assertThat(scraping).as("prod: a PodMonitor for Kafka Exporter").hasSize(1);
        assertThat(scraping.get(0).getSpec().getPodMetricsEndpoints()).extracting(PodMetricsEndpoint::getPort)
                .containsExactly("tcp-prometheus");
    }

    @ParameterizedTest
    @FieldSource("PRODUCTION_OVERLAYS")
    void theAlertsAnOperatorNeedsAreThereWithSeverityAndSummary(String overlay) {
        Map<String, Rule> alerts = alerts(Manifests.of(overlay));
        assertThat(alerts.keySet()).as("%s: alerts", overlay).containsAll(REQUIRED_ALERTS);
        SoftAssertions softly = new SoftAssertions();
        alerts.forEach((name, rule) -> {
            softly.assertThat(rule.getLabels()).as("%s: severity", name).containsKey("severity");
            softly.assertThat(rule.getLabels().get("severity")).as("%s: severity", name).isIn("critical", "warning");
            softly.assertThat(rule.getAnnotations()).as("%s: summary", name).containsKey("summary");
            String expr = rule.getExpr().getStrVal();
            softly.assertThat(balanced(expr)).as("%s: brackets balanced in %s", name, expr).isTrue();
        });
        softly.assertAll();
    }

    @Test
    void theAlertsUseMetersTheServicesRegisterWithValuesTheyWrite() {
        Map<String, Rule> alerts = alerts(Manifests.of("prod"));
        SoftAssertions softly = new SoftAssertions();
        Set<String> winchSeries = new TreeSet<>();
        alerts.forEach((name, rule) -> {
            Matcher series = SERIES.matcher(rule.getExpr().getStrVal());
            while (series.find()) {
                String metric = series.group(1);
                if (metric.startsWith("winch_")) {
                    winchSeries.add(metric);
                    softly.assertThat(registered(metric)).as("%s: %s is a meter the services register", name, metric)
                            .isTrue();
                    Matcher matcher = MATCHER.matcher(series.group(2) == null ? "" : series.group(2));
                    while (matcher.find()) {
                        for (String value : matcher.group(3).split("\\|")) {
                            softly.assertThat(written(value)).as("%s: %s{%s=\"%s\"} is a value the code writes", name,
                                    metric, matcher.group(1), value).isTrue();
                        }
                    }
                } else {
                    softly.assertThat(EXTERNAL_SERIES).as("%s: %s is a known outside series", name, metric)
                            .contains(metric);
                }
            }
        });
        softly.assertThat(winchSeries).as("the Winch meters the alerts use").contains("winch_gateway_requests_total",
                "winch_consumer_records_total", "winch_actions_total");
        softly.assertAll();
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, Rule> alerts(Manifests manifests) {
        Map<String, Rule> alerts = new LinkedHashMap<>();
        for (PrometheusRule rules : manifests.all("PrometheusRule", PrometheusRule.class)) {
            rules.getSpec().getGroups().forEach(g -> g.getRules().stream().filter(r -> r.getAlert() != null)
                    .forEach(r -> alerts.put(r.getAlert(), r)));
        }
        return alerts;
    }

    /** Registered under this name: a counter keeps its _total, a timer adds _count, _sum, _max, _bucket. */
    private static boolean registered(String metric) {
        List<String> names = new ArrayList<>(List.of(metric));
        for (String suffix : List.of("_count", "_sum", "_max", "_bucket")) {
            if (metric.endsWith(suffix)) {
                names.add(metric.substring(0, metric.length() - suffix.length()));
            }
        }
        return names.stream().anyMatch(n -> sources.contains("\"" + n + "\""));
    }

    /** A label value the code writes: a string literal, or an Outcome as the results meter writes it (lower case). */
    private static boolean written(String value) {
        if (sources.contains("\"" + value + "\"")) {
            return true;
        }
        return Stream.of(Outcome.values()).anyMatch(o -> o.name().toLowerCase().equals(value));
    }

    private static boolean balanced(String expr) {
        int depth = 0;
        for (char c : expr.toCharArray()) {
            depth += "({[".indexOf(c) >= 0 ? 1 : ")}]".indexOf(c) >= 0 ? -1 : 0;
            if (depth < 0) {
                return false;
            }
        }
        return depth == 0;
    }
}
