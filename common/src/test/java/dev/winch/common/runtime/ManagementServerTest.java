package dev.winch.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} answers Prometheus text that a scraper can parse, with every Winch meter in it. */
class ManagementServerTest {

    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");
    private static final Pattern TYPE =
            Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)");
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:" + LABEL + ")(?:,"
            + LABEL + ")*,?})? ([-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|NaN|Inf))( -?[0-9]+)?");
    private static final Set<String> SUFFIXES = Set.of("", "_bucket", "_count", "_sum", "_created");

    private Vertx vertx;
    private PrometheusMeterRegistry registry;
    private ManagementServer server;
    private WebClient http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", "management-test");
        new JvmMemoryMetrics().bindTo(registry);
        server = new ManagementServer(vertx, new Readiness(vertx), registry);
        http = WebClient.create(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        server.close().await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void metricsAreValidPrometheusTextWithEveryWinchMeter() throws Exception {
        Counter.builder("winch_kafka_records_sent_total").register(registry).increment(3);
        registry.counter("winch_actions_total", "outcome", "applied").increment();
        Timer.builder("winch_scale_duration").publishPercentileHistogram().register(registry)
                .record(Duration.ofMillis(40));
        DistributionSummary.builder("winch_batch_size").register(registry).record(4);
        AtomicInteger queued = registry.gauge("winch_rollouts_tracked", new AtomicInteger(2));
        assertThat(queued).hasValue(2);

        HttpResponse<Buffer> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("Content-Type")).startsWith("text/plain").contains("version=0.0.4");
        Map<String, String> families = parse(response.bodyAsString());
        Set<String> winchMeters = registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName)
                .filter(name -> name.startsWith("winch_")).collect(Collectors.toSet());
        assertThat(winchMeters).hasSize(5);
        for (String meter : winchMeters) {
            assertThat(families.keySet()).as("families for %s", meter).anyMatch(family -> family.startsWith(meter));
        }
        assertThat(families).containsEntry("winch_kafka_records_sent_total", "counter")
                .containsEntry("winch_scale_duration_seconds", "histogram")
                .containsEntry("winch_rollouts_tracked", "gauge");
        assertThat(response.bodyAsString())
                .containsPattern("(?m)^winch_kafka_records_sent_total\\{service=\"management-test\"} 3\\.0$");
    }

    /**
     * Checks the text exposition format line by line: every sample belongs to the family declared last, every family
     * is declared once; answers the families and their types.
     */
    private static Map<String, String> parse(String body) {
        assertThat(body).endsWith("\n");
        Map<String, String> families = new HashMap<>();
        String current = null;
        for (String line : body.split("\n")) {
            Matcher type = TYPE.matcher(line);
            Matcher sample = SAMPLE.matcher(line);
            if (type.matches()) {
                current = type.group(1);
                assertThat(families.put(current, type.group(2))).as("second TYPE line for %s", current).isNull();
            } else if (HELP.matcher(line).matches() || line.isEmpty()) {
                continue;
            } else if (sample.matches()) {
                String name = sample.group(1);
                String family = current;
                assertThat(family).as("TYPE before %s", line).isNotNull();
                assertThat(SUFFIXES).as("sample %s in family %s", line, family)
                        .anyMatch(suffix -> name.equals(family + suffix));
            } else {
                throw new AssertionError("not a Prometheus text line: " + line);
            }
        }
        return families;
    }

    private HttpResponse<Buffer> get(String path) throws Exception {
        int port = server.start("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
        return http.get(port, "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
    }
}
