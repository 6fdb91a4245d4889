package dev.winch.notifier.events.sink;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One sink as its kube-eventer flag describes it.
 *
 * @param name              the sink's channel name ({@code sink_name=}, else {@code events-<kind>-<n>}): its consumer
 *                          group is named after it, so a sink keeps its position across restarts while its name stays
 * @param kind              webhook, dingtalk, wechat or slack
 * @param url               where requests go: the flag's URL without the sink's own parameters (the endpoint's own,
 *                          such as DingTalk's {@code access_token} or WeCom's {@code key}, stay)
 * @param method            the webhook's HTTP method (GET unless {@code method=})
 * @param headers           the webhook's {@code header=K=V} headers
 * @param bodyConfigMap     the webhook's body template ConfigMap, or null for the default body
 * @param labels            {@code label=} lines put before a chat message
 * @param msgType           DingTalk's {@code msg_type}: text or markdown
 * @param signSecret        DingTalk's {@code sign} secret, or null
 * @param clusterId         DingTalk's markdown {@code cluster_id}, or ""
 * @param region            DingTalk's markdown {@code region}, or ""
 * @param slackChannel      Slack's {@code channel=}, or null
 * @param messagesPerMinute {@code rate=} (Winch), else the kind's default
 * @param weComApp          WeCom's application form ({@code wechat:?corp_id=...}), or null for the group robot
 */
public record SinkSpec(String name, Kind kind, String url, String method, Map<String, String> headers,
        ConfigMapRef bodyConfigMap, EventFilter filter, List<String> labels, String msgType, String signSecret,
        String clusterId, String region, String slackChannel, int messagesPerMinute, WeComApp weComApp) {

    public enum Kind {
        WEBHOOK(600), DINGTALK(20), WECHAT(20), SLACK(60);

        final int defaultRate;

        Kind(int defaultRate) {
            this.defaultRate = defaultRate;
        }

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A ConfigMap whose {@code content} key holds a body template. */
    public record ConfigMapRef(String namespace, String name) {
        public ConfigMapRef {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    /**
     * A WeCom application ({@code wechat:} with {@code corp_id}): its messages go to {@code <apiBase>/cgi-bin/message/send}
     * with an access token from {@code <apiBase>/cgi-bin/gettoken}.
     *
     * @param apiBase  WeCom's API, {@code https://qyapi.weixin.qq.com} unless the flag names another before its {@code ?}
     * @param toUsers  {@code to_user=} (comma-separated), {@code @all} by default
     * @param toParty  {@code to_party=} (Winch), department ids, or ""
     * @param toTag    {@code to_tag=} (Winch), tag ids, or ""
     */
    public record WeComApp(String apiBase, String corpId, String corpSecret, int agentId, List<String> toUsers,
            String toParty, String toTag) {
        public WeComApp {
            toUsers = List.copyOf(toUsers);
        }

        @Override
        public String toString() {
            return "WeComApp[" + corpId + ", agent " + agentId + "]";
        }
    }

    public SinkSpec {
        headers = Map.copyOf(headers);
        labels = List.copyOf(labels);
    }

    @Override
    public String toString() {
        // the URL carries tokens: never printed
        return "SinkSpec[" + name + ", " + kind.id() + (bodyConfigMap == null ? "" : ", body " + bodyConfigMap) + "]";
    }
}
