package dev.winch.notifier.events.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.KubeEventObserved;
import dev.winch.notifier.channel.http.HttpSender;
import dev.winch.notifier.channel.http.Redactor;
import dev.winch.testkit.SandboxKubernetes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A webhook sink's body template follows its ConfigMap on a (mock) API server, without a restart. */
class TemplateWatchTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private final KubeEventObserved event = TestEvents.pod("demo", "web-1", "Warning", "BackOff", "Back-off", 2);

    private SandboxKubernetes kubernetes;
    private Vertx vertx;
    private EventSink sink;
    private TemplateWatch watch;

    @BeforeEach
    void start() {
        java.util.logging.Logger.getLogger("okhttp3.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        kubernetes = SandboxKubernetes.start();
        vertx = Vertx.vertx();
        SinkSpec spec = SinkFlags.parse("webhook:http://127.0.0.1:1/h?custom_body_configmap=custom-body"
                + "&custom_body_configmap_namespace=kube-system", "TEST").get(0);
        sink = new EventSink(spec, new HttpSender(HttpSender.client(vertx, Duration.ofSeconds(1), true, null),
                Duration.ofSeconds(1), Clock.systemUTC(), Redactor.of(null, List.of())), BodyTemplate.defaultBody(),
                new Aggregator(Duration.ZERO));
    }

    @AfterEach
    void stop() {
        if (watch != null) {
            watch.close();
        }
        sink.close();
        vertx.close().await();
        kubernetes.close();
    }

    private String body() {
        return sink.render(new dev.winch.notifier.channel.Notification.KubeEvents(List.of("e1"), List.of(event), null));
    }

    private void write(String content) {
        ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName("custom-body")
                .withNamespace("kube-system").endMetadata().withData(Map.of("content", content)).build();
        kubernetes.client().configMaps().inNamespace("kube-system").resource(configMap).createOr(c -> c.update());
    }

    @Test
    void theConfigMapsTemplateIsUsedAndEveryChangeIsPickedUp() {
        write("{\"reason\":\"{{ .Reason }}\"}");
        watch = TemplateWatch.start(kubernetes.client(), sink);
        assertThat(body()).as("in use once started").isEqualTo("{\"reason\":\"BackOff\"}");

        write("{\"reason\":\"{{ .Reason }}\",\"count\":{{ .Count }}}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(body()).isEqualTo("{\"reason\":\"BackOff\",\"count\":2}"));

        write("{{ if .Reason }}refused{{ end }}");
        write("{\"kind\":\"{{ .InvolvedObject.Kind }}\"}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(body()).isEqualTo("{\"kind\":\"Pod\"}"));

        kubernetes.client().configMaps().inNamespace("kube-system").withName("custom-body").delete();
        await().atMost(WAIT).untilAsserted(() -> assertThat(body()).contains("\"EventReason\": \"BackOff\""));
    }

    @Test
    void aTemplateThatCannotBeReadLeavesTheOneInUse() {
        write("{\"reason\":\"{{ .Reason }}\"}");
        watch = TemplateWatch.start(kubernetes.client(), sink);
        write("{\"reason\":\"{{ .Reason | upper }}\"}");
        write("{\"uid\":\"{{ .UID }}\",\"reason\":\"{{ .Reason }}\"}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(body()).startsWith("{\"uid\":"));
        // the refused one came in between and changed nothing: the last readable one is in use
        assertThat(body()).isEqualTo("{\"uid\":\"" + event.uid() + "\",\"reason\":\"BackOff\"}");
    }

    @Test
    void aMissingConfigMapMeansTheDefaultBodyUntilItIsCreated() {
        watch = TemplateWatch.start(kubernetes.client(), sink);
        assertThat(body()).contains("\"EventReason\": \"BackOff\"");
        write("{{ .Message }}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(body()).isEqualTo("Back-off"));
    }
}
