package dev.winch.notifier.events.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.event.KubeEventObserved;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkFlagsTest {

    private static SinkSpec one(String flag) {
        List<SinkSpec> sinks = SinkFlags.parse(flag, "TEST");
        assertThat(sinks).hasSize(1);
        return sinks.get(0);
    }

    private static boolean takes(String flag, KubeEventObserved event) {
        return one(flag).filter().accepts(event);
    }

    private static final KubeEventObserved DEMO_WARNING = TestEvents.pod("demo", "web-1", "Warning", "BackOff",
            "Back-off restarting failed container", 3);
    private static final KubeEventObserved DEMO_NORMAL = TestEvents.pod("demo", "web-1", "Normal", "Pulled",
            "Container image pulled", 1);
    private static final KubeEventObserved SYSTEM_WARNING = TestEvents.pod("kube-system", "dns-1", "Warning",
            "FailedScheduling", "0/3 nodes are available", 1);
    private static final KubeEventObserved NODE_WARNING = TestEvents.node("node-1", "Warning", "NodeNotReady",
            "Node node-1 status is now: NodeNotReady");
    private static final KubeEventObserved NODE_NORMAL = TestEvents.node("node-1", "Normal", "NodeReady",
            "Node node-1 status is now: NodeReady");

    @Test
    void readsKubeEventersWeComApplicationForm() {
        SinkSpec sink = one("--sink=wechat:?corp_id=a5c19f3e02feba7bd5dfc22bfb&corp_secret=a212359acfe86fd80eb1591870"
                + "&agent_id=1000012&to_user=zhangshan,xiaowang&level=Normal&label=cluster-a");
        assertThat(sink.kind()).isEqualTo(SinkSpec.Kind.WECHAT);
        assertThat(sink.weComApp()).isEqualTo(new SinkSpec.WeComApp("https://qyapi.weixin.qq.com",
                "a5c19f3e02feba7bd5dfc22bfb", "a212359acfe86fd80eb1591870", 1000012, List.of("zhangshan", "xiaowang"),
                "", ""));
        assertThat(sink.labels()).containsExactly("cluster-a");
        assertThat(sink.filter().accepts(DEMO_NORMAL)).isTrue();
        assertThat(sink.toString()).doesNotContain("a212359acfe86fd80eb1591870");

        SinkSpec everyone = one("wechat:http://127.0.0.1:8099/?corp_id=c&corp_secret=s&agent_id=7&to_user="
                + "&to_party=2,3");
        assertThat(everyone.weComApp().apiBase()).isEqualTo("http://127.0.0.1:8099");
        assertThat(everyone.weComApp().toUsers()).containsExactly("@all");
        assertThat(everyone.weComApp().toParty()).isEqualTo("2|3");
        assertThat(one("wechat:https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k").weComApp())
                .as("the group robot").isNull();
    }

    @Test
    void readsSeed003sDingTalkWebhookFlagUnchanged() {
        SinkSpec sink = one("--sink=webhook:https://oapi.dingtalk.com/robot/send?access_token=token&level=Normal"
                + "&kinds=Pod&header=Content-Type=application/json&custom_body_configmap=custom-body"
                + "&custom_body_configmap_namespace=kube-system&method=POST");
        assertThat(sink.kind()).isEqualTo(SinkSpec.Kind.WEBHOOK);
        assertThat(sink.url()).isEqualTo("https://oapi.dingtalk.com/robot/send?access_token=token");
        assertThat(sink.method()).isEqualTo("POST");
        assertThat(sink.headers()).isEqualTo(Map.of("Content-Type", "application/json"));
        assertThat(sink.bodyConfigMap()).isEqualTo(new SinkSpec.ConfigMapRef("kube-system", "custom-body"));
        assertThat(sink.name()).isEqualTo("events-webhook-1");
        assertThat(sink.filter().accepts(DEMO_NORMAL)).isTrue();
        assertThat(sink.filter().accepts(NODE_WARNING)).isFalse();
    }

    @Test
    void readsSeed003sOtherExamplesAndSeveralSinksOneALine() {
        List<SinkSpec> sinks = SinkFlags.parse("""
                # kube-eventer's flags, as in its Deployment
                --sink=webhook:http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=633a31f6&level=Normal&kinds=Pod&header=Content-Type=application/json&custom_body_configmap=custom-body&custom_body_configmap_namespace=kube-system&method=POST

                --sink=webhook:https://hooks.slack.com/services/d/B00000000/XXX?&level=Normal&kinds=Pod&header=Content-Type=application/json&custom_body_configmap=custom-body&custom_body_configmap_namespace=kube-system&method=POST
                "webhook:https://hook.bearychat.com/=bwIsS/incoming/xxxxxx?kinds=Pod&header=Content-Type=application/json&custom_body_configmap=custom-body&custom_body_configmap_namespace=kube-system&method=POST"
                --sink dingtalk:https://oapi.dingtalk.com/robot/send?access_token=abc&level=Warning&label=prod&label=eu&msg_type=markdown&sign=SEC1&sink_name=ding
                wechat:https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1&label=prod
                slack:https://hooks.slack.com/services/T0/B0/xyz?channel=ops&level=Normal&rate=30
                """, "TEST");
        assertThat(sinks).extracting(SinkSpec::name).containsExactly("events-webhook-1", "events-webhook-2",
                "events-webhook-3", "ding", "events-wechat-5", "events-slack-6");
        assertThat(sinks.get(0).url()).isEqualTo("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=633a31f6");
        assertThat(sinks.get(1).url()).isEqualTo("https://hooks.slack.com/services/d/B00000000/XXX");
        assertThat(sinks.get(2).url()).isEqualTo("https://hook.bearychat.com/=bwIsS/incoming/xxxxxx");
        // no level: Warning only (kube-eventer's documented default)
        assertThat(sinks.get(2).filter().accepts(DEMO_NORMAL)).isFalse();
        SinkSpec ding = sinks.get(3);
        assertThat(ding.url()).isEqualTo("https://oapi.dingtalk.com/robot/send?access_token=abc");
        assertThat(ding.labels()).containsExactly("prod", "eu");
        assertThat(ding.msgType()).isEqualTo("markdown");
        assertThat(ding.signSecret()).isEqualTo("SEC1");
        assertThat(ding.messagesPerMinute()).isEqualTo(20);
        assertThat(sinks.get(4).url()).isEqualTo("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1");
        assertThat(sinks.get(5).slackChannel()).isEqualTo("ops");
        assertThat(sinks.get(5).messagesPerMinute()).isEqualTo(30);
        assertThat(sinks.get(0).toString()).doesNotContain("633a31f6");
    }

    @Test
    void defaultsAreKubeEventers() {
        SinkSpec sink = one("webhook:https://example.com/hook");
        assertThat(sink.method()).isEqualTo("GET");
        assertThat(sink.headers()).isEmpty();
        assertThat(sink.bodyConfigMap()).isNull();
        assertThat(sink.messagesPerMinute()).isEqualTo(600);
        assertThat(one("webhook:https://example.com/h?custom_body_configmap=b").bodyConfigMap())
                .isEqualTo(new SinkSpec.ConfigMapRef("default", "b"));
    }

    @Test
    void levelWarningTakesWarningsAndNormalTakesBoth() {
        assertThat(takes("webhook:https://e.com/h?level=Warning", DEMO_WARNING)).isTrue();
        assertThat(takes("webhook:https://e.com/h?level=Warning", DEMO_NORMAL)).isFalse();
        assertThat(takes("webhook:https://e.com/h?level=Normal", DEMO_WARNING)).isTrue();
        assertThat(takes("webhook:https://e.com/h?level=Normal", DEMO_NORMAL)).isTrue();
    }

    @Test
    void namespacesAreNamesOrRegularExpressionsMatchingWholeNames() {
        String flag = "webhook:https://e.com/h?namespaces=demo,kube-.*";
        assertThat(takes(flag, DEMO_WARNING)).isTrue();
        assertThat(takes(flag, SYSTEM_WARNING)).isTrue();
        assertThat(takes(flag, TestEvents.pod("demo2", "x", "Warning", "BackOff", "m", 1))).isFalse();
        assertThat(takes(flag, TestEvents.pod("other", "x", "Warning", "BackOff", "m", 1))).isFalse();
        // every namespaces= parameter adds names
        assertThat(takes("webhook:https://e.com/h?namespaces=other&namespaces=demo", DEMO_WARNING)).isTrue();
    }

    @Test
    void nodeEventsAreKeptByANamespaceFilterAndDroppedByKind() {
        assertThat(takes("webhook:https://e.com/h?namespaces=demo", NODE_WARNING)).isTrue();
        assertThat(takes("webhook:https://e.com/h?namespaces=demo&level=Normal", NODE_NORMAL)).isTrue();
        assertThat(takes("webhook:https://e.com/h?namespaces=demo&kinds=Pod", NODE_WARNING)).isFalse();
        assertThat(takes("webhook:https://e.com/h?namespaces=demo&exclude_kinds=Node", NODE_WARNING)).isFalse();
        assertThat(takes("webhook:https://e.com/h?namespaces=demo&exclude_kinds=Node", DEMO_WARNING)).isTrue();
        assertThat(takes("webhook:https://e.com/h?exclude_namespaces=.*", NODE_WARNING)).isTrue();
    }

    @Test
    void kindsAreAListOfKinds() {
        assertThat(takes("webhook:https://e.com/h?kinds=Node,Pod", DEMO_WARNING)).isTrue();
        assertThat(takes("webhook:https://e.com/h?kinds=Node,Pod", NODE_WARNING)).isTrue();
        assertThat(takes("webhook:https://e.com/h?kinds=node", NODE_WARNING)).isTrue();
        assertThat(takes("webhook:https://e.com/h?kinds=Deployment", DEMO_WARNING)).isFalse();
    }

    @Test
    void everyReasonParameterIsARegularExpressionAndAnyMayMatch() {
        String flag = "webhook:https://e.com/h?reason=(BackOff|Unhealthy)&reason=Failed.*";
        assertThat(takes(flag, DEMO_WARNING)).isTrue();
        assertThat(takes(flag, SYSTEM_WARNING)).isTrue();
        assertThat(takes(flag, NODE_WARNING)).isFalse();
        // a match anywhere in the reason, as Go's MatchString
        assertThat(takes("webhook:https://e.com/h?reason=Ready", NODE_WARNING)).isTrue();
        assertThat(takes("webhook:https://e.com/h?reason=^Ready", NODE_WARNING)).isFalse();
        // a comma inside a group belongs to the expression; outside it separates two
        assertThat(takes("webhook:https://e.com/h?reason=^B{1,2}ackOff$", DEMO_WARNING)).isTrue();
        assertThat(takes("webhook:https://e.com/h?reason=Nope,BackOff", DEMO_WARNING)).isTrue();
    }

    @Test
    void exclusionsDropWhatTheyMatch() {
        assertThat(takes("webhook:https://e.com/h?exclude_namespaces=kube-.*", SYSTEM_WARNING)).isFalse();
        assertThat(takes("webhook:https://e.com/h?exclude_namespaces=kube-.*", DEMO_WARNING)).isTrue();
        assertThat(takes("webhook:https://e.com/h?exclude_kinds=Pod", DEMO_WARNING)).isFalse();
        assertThat(takes("webhook:https://e.com/h?exclude_reason=BackOff", DEMO_WARNING)).isFalse();
        assertThat(takes("webhook:https://e.com/h?exclude_reason=BackOff", SYSTEM_WARNING)).isTrue();
    }

    @Test
    void filtersCombineAllMustPassNoExclusionMayMatch() {
        String flag = "webhook:https://e.com/h?level=Normal&namespaces=demo,kube-system&kinds=Pod,Node"
                + "&reason=Back&reason=Failed&reason=Node&exclude_reason=FailedScheduling&exclude_namespaces=kube-.*";
        assertThat(takes(flag, DEMO_WARNING)).isTrue();
        assertThat(takes(flag, DEMO_NORMAL)).isFalse(); // reason
        assertThat(takes(flag, SYSTEM_WARNING)).isFalse(); // excluded namespace and reason
        assertThat(takes(flag, NODE_WARNING)).isTrue(); // cluster-scoped: kept by the namespace filters
        assertThat(takes(flag, NODE_NORMAL)).isTrue();
        assertThat(takes(flag, TestEvents.pod("demo", "x", "Warning", "FailedMount", "m", 1))).isTrue();
        assertThat(takes(flag, TestEvents.pod("demo", "x", "Warning", "FailedScheduling", "m", 1))).isFalse();
    }

    @Test
    void badFlagsAreRefusedNamingTheLineAndParameter() {
        assertThatThrownBy(() -> SinkFlags.parse("webhook:https://e.com/h\nwebhook:https://e.com/h?level=Info",
                "WINCH_NOTIFIER_EVENT_SINKS")).hasMessage("WINCH_NOTIFIER_EVENT_SINKS line 2: level: must be "
                        + "Warning or Normal, not 'Info'");
        assertThatThrownBy(() -> one("webhook:https://e.com/h?reason=(unclosed")).hasMessageContaining("TEST line 1")
                .hasMessageContaining("reason: '(unclosed' is not a regular expression");
        assertThatThrownBy(() -> one("webhook:https://e.com/h?namespaces=[a")).hasMessageContaining("namespaces:");
        assertThatThrownBy(() -> one("webhook:https://e.com/h?method=FETCH")).hasMessageContaining("method:");
        assertThatThrownBy(() -> one("webhook:https://e.com/h?header=NoValue")).hasMessageContaining("header:");
        assertThatThrownBy(() -> one("kafka:?brokers=localhost:9092")).hasMessageContaining("sink kind 'kafka'");
        assertThatThrownBy(() -> one("webhook:ftp://e.com/h")).hasMessageContaining("http://");
        assertThatThrownBy(() -> one("--source=kubernetes:https://k")).hasMessageContaining("--sink");
        assertThatThrownBy(() -> one("dingtalk:https://oapi.dingtalk.com/robot/send?level=Warning"))
                .hasMessageContaining("access_token");
        assertThatThrownBy(() -> one("dingtalk:https://oapi.dingtalk.com/robot/send?access_token=a&msg_type=card"))
                .hasMessageContaining("msg_type:");
        assertThatThrownBy(() -> one("wechat:?corp_secret=s&agent_id=1")).hasMessageContaining("corp_id:");
        assertThatThrownBy(() -> one("wechat:?corp_id=c&agent_id=1")).hasMessageContaining("corp_secret:");
        assertThatThrownBy(() -> one("wechat:?corp_id=c&corp_secret=s&agent_id=abc"))
                .hasMessageContaining("agent_id: the application's AgentId, a number, not 'abc'");
        assertThatThrownBy(() -> one("wechat:https://qyapi.weixin.qq.com/cgi-bin/message/send?access_token=t"
                + "&corp_id=c&corp_secret=s&agent_id=1")).hasMessageContaining("only the API's base");
        assertThatThrownBy(() -> one("webhook:https://e.com/h&level=Normal"))
                .hasMessageContaining("level: the sink's parameters follow a '?'");
        assertThatThrownBy(() -> one("webhook:https://e.com/h?rate=0")).hasMessageContaining("rate:");
        assertThatThrownBy(() -> one("webhook:https://e.com/h?custom_body_configmap_namespace=x"))
                .hasMessageContaining("custom_body_configmap_namespace:");
        assertThatThrownBy(() -> SinkFlags.parse("webhook:https://e.com/a?sink_name=x\nslack:https://e.com/b?sink_name=x",
                "TEST")).hasMessageContaining("line 2: sink_name: 'x'");
    }
}
