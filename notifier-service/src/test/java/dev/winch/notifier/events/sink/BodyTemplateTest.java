package dev.winch.notifier.events.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.event.KubeEventObserved;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BodyTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The event of kube-eventer's examples: a Pod's container started. */
    private static final KubeEventObserved STARTED = TestEvents.pod("default", "web-7d4b9c6f5-x2x9k", "Normal",
            "Started", "Started container web", 1);

    // seed 003's ConfigMap contents, as they are written there
    private static final String DINGTALK = "{\"msgtype\": \"text\",\"text\": {\"content\":\"EventType:{{ .Type }}\\n"
            + "EventKind:{{ .InvolvedObject.Kind }}\\nEventReason:{{ .Reason }}\\nEventTime:{{ .EventTime }}\\n"
            + "EventMessage:{{ .Message }}\"},\"markdown\": {\"title\":\"\",\"text\":\"\"}}";
    private static final String WECHAT = "{\"msgtype\": \"text\",\"text\": {\"content\": \"EventType:{{ .Type }}\\n"
            + "EventKind:{{ .InvolvedObject.Kind }}\\nEventReason:{{ .Reason }}\\nEventTime:{{ .EventTime }}\\n"
            + "EventMessage:{{ .Message }}\"}}";
    private static final String SLACK = "{\"channel\": \"testing\",\"username\": \"Eventer\",\"text\":\"EventType:"
            + "{{ .Type }}\\nEventKind:{{ .InvolvedObject.Kind }}\\nEventReason:{{ .Reason }}\\nEventTime:"
            + "{{ .EventTime }}\\nEventMessage:{{ .Message }}\"}";
    private static final String BEARYCHAT = "\"text\":\"EventType:{{ .Type }}\\nEventKind:{{ .InvolvedObject.Kind }}"
            + "\\nEventReason:{{ .Reason }}\\nEventTime:{{ .EventTime }}\\nEventMessage:{{ .Message }}\"";

    @Test
    void rendersTheDingTalkExampleAsKubeEventerDoes() {
        assertThat(BodyTemplate.parse(DINGTALK).render(EventView.of(STARTED))).isEqualTo(
                "{\"msgtype\": \"text\",\"text\": {\"content\":\"EventType:Normal\\nEventKind:Pod\\n"
                        + "EventReason:Started\\nEventTime:2019-07-17 03:52:30 +0000 UTC\\n"
                        + "EventMessage:Started container web\"},\"markdown\": {\"title\":\"\",\"text\":\"\"}}");
    }

    @Test
    void rendersTheWeChatExampleAsKubeEventerDoes() {
        assertThat(BodyTemplate.parse(WECHAT).render(EventView.of(STARTED))).isEqualTo(
                "{\"msgtype\": \"text\",\"text\": {\"content\": \"EventType:Normal\\nEventKind:Pod\\n"
                        + "EventReason:Started\\nEventTime:2019-07-17 03:52:30 +0000 UTC\\n"
                        + "EventMessage:Started container web\"}}");
    }

    @Test
    void rendersTheSlackExampleAsKubeEventerDoes() {
        assertThat(BodyTemplate.parse(SLACK).render(EventView.of(STARTED))).isEqualTo(
                "{\"channel\": \"testing\",\"username\": \"Eventer\",\"text\":\"EventType:Normal\\nEventKind:Pod\\n"
                        + "EventReason:Started\\nEventTime:2019-07-17 03:52:30 +0000 UTC\\n"
                        + "EventMessage:Started container web\"}");
    }

    @Test
    void rendersTheBearyChatExampleAsKubeEventerDoes() {
        // the example is not a JSON document (no braces): it is copied as written all the same
        assertThat(BodyTemplate.parse(BEARYCHAT).render(EventView.of(STARTED))).isEqualTo(
                "\"text\":\"EventType:Normal\\nEventKind:Pod\\nEventReason:Started\\n"
                        + "EventTime:2019-07-17 03:52:30 +0000 UTC\\nEventMessage:Started container web\"");
    }

    @Test
    void theRenderedExamplesAreTheJsonTheyMean() throws Exception {
        JsonNode dingTalk = JSON.readTree(BodyTemplate.parse(DINGTALK).render(EventView.of(STARTED)));
        assertThat(dingTalk.at("/text/content").asText()).isEqualTo("EventType:Normal\nEventKind:Pod\n"
                + "EventReason:Started\nEventTime:2019-07-17 03:52:30 +0000 UTC\nEventMessage:Started container web");
        JSON.readTree(BodyTemplate.parse(WECHAT).render(EventView.of(STARTED)));
        JSON.readTree(BodyTemplate.parse(SLACK).render(EventView.of(STARTED)));
    }

    @Test
    void aMessageFullOfQuotesNewlinesAndUnicodeStaysValidJson() throws Exception {
        String message = "Back-off \"restarting\" failed container\n\tin pod \\web\\ 'x' — 容器 ✓ \u0001 end";
        KubeEventObserved event = TestEvents.pod("demo", "web-1", "Warning", "BackOff", message, 3);
        for (String template : new String[] {DINGTALK, WECHAT, SLACK, BodyTemplate.DEFAULT_BODY}) {
            JsonNode body = JSON.readTree(BodyTemplate.parse(template).render(EventView.of(event)));
            String text = body.has("EventMessage") ? body.get("EventMessage").asText()
                    : body.has("text") && body.get("text").isTextual() ? body.get("text").asText()
                    : body.at("/text/content").asText();
            assertThat(text).endsWith(message);
        }
    }

    @Test
    void theDefaultBodyIsKubeEventersWithTheEventTime() throws Exception {
        KubeEventObserved event = TestEvents.pod("demo", "web-1", "Warning", "BackOff", "Back-off restarting", 2);
        JsonNode body = JSON.readTree(BodyTemplate.defaultBody().render(EventView.of(event)));
        assertThat(body.get("EventType").asText()).isEqualTo("Warning");
        assertThat(body.get("EventKind").asText()).isEqualTo("Pod");
        assertThat(body.get("EventReason").asText()).isEqualTo("BackOff");
        assertThat(body.get("EventTime").asText()).isEqualTo("2019-07-17 03:52:30 +0000 UTC");
        assertThat(body.get("EventMessage").asText()).isEqualTo("Back-off restarting");
    }

    @Test
    void eventTimeIsTheEventsOwnWhenItHasOneAndGoPrintsItsFraction() {
        KubeEventObserved plain = TestEvents.pod("demo", "web-1", "Warning", "BackOff", "m", 1);
        Map<String, Object> object = new LinkedHashMap<>(plain.object());
        object.put("eventTime", "2019-07-17T03:52:31.123400Z");
        KubeEventObserved withTime = new KubeEventObserved(plain.uid(), plain.namespace(), plain.involvedKind(),
                plain.involvedName(), plain.reason(), plain.message(), plain.type(), 1, plain.firstSeen(),
                plain.lastSeen(), plain.resourceVersion(), object);
        BodyTemplate template = BodyTemplate.parse("{{ .EventTime }}|{{ .LastTimestamp }}|{{ .FirstTimestamp }}");
        assertThat(template.render(EventView.of(withTime)))
                .isEqualTo("2019-07-17 03:52:31.1234 +0000 UTC|2019-07-17 03:52:30 +0000 UTC"
                        + "|2019-07-17 03:50:00 +0000 UTC");
    }

    @Test
    void everyFieldOfTheEventCanBeNamed() {
        KubeEventObserved event = TestEvents.pod("demo", "web-1", "Warning", "BackOff", "m", 7);
        String rendered = BodyTemplate.parse("{{ .Name }} {{ .Namespace }} {{ .InvolvedObject.Namespace }} "
                + "{{ .InvolvedObject.Name }} {{ .InvolvedObject.APIVersion }} {{ .Count }} {{ .Source.Host }} "
                + "{{ .Source.Component }} {{ .UID }} {{ .ReportingController }}.").render(EventView.of(event));
        assertThat(rendered).isEqualTo("web-1.15b2a3f4c8d9e0a1 demo demo web-1 v1 7 node-1 kubelet "
                + "uid-demo-web-1-BackOff .");
    }

    @Test
    void aNodeEventHasNoInvolvedNamespaceButTheEventHasItsOwn() {
        KubeEventObserved event = TestEvents.node("node-1", "Warning", "NodeNotReady", "Node is not ready");
        assertThat(BodyTemplate.parse("[{{ .InvolvedObject.Namespace }}][{{ .Namespace }}]")
                .render(EventView.of(event))).isEqualTo("[][default]");
    }

    @Test
    void actionsOverSeveralLinesAndTrimMarkersAreRead() {
        // seed 003's YAML folds an action over two lines
        String template = "{\"EventReason\": \"{{\n    .Reason }}\",\"m\": \"{{ .Message\n    }}\"}  {{- /* c */ -}}  x";
        assertThat(BodyTemplate.parse(template).render(EventView.of(STARTED)))
                .isEqualTo("{\"EventReason\": \"Started\",\"m\": \"Started container web\"}x");
    }

    @Test
    void whatGoTemplatesDoBeyondFieldsIsRefusedWithItsLine() {
        assertThatThrownBy(() -> BodyTemplate.parse("{\n\"a\": \"{{ if .Reason }}x{{ end }}\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2").hasMessageContaining("{{ if .Reason }}")
                .hasMessageContaining("only field actions");
        assertThatThrownBy(() -> BodyTemplate.parse("{{ .Reason | printf \"%q\" }}"))
                .hasMessageContaining("not supported");
        assertThatThrownBy(() -> BodyTemplate.parse("{{ .Reasons }}"))
                .hasMessageContaining("unknown field .Reasons").hasMessageContaining(".Reason");
        assertThatThrownBy(() -> BodyTemplate.parse("ok {{ .Reason "))
                .hasMessageContaining("'{{' without '}}'");
    }
}
