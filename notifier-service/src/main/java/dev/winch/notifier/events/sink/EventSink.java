package dev.winch.notifier.events.sink;

import dev.winch.common.event.KubeEventObserved;
import dev.winch.notifier.channel.CallerContext;
import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.channel.chat.ErrorCodeCheck;
import dev.winch.notifier.channel.http.AnswerCheck;
import dev.winch.notifier.channel.http.Hmac;
import dev.winch.notifier.channel.http.HttpSender;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One kube-eventer sink as a notifier channel: the delivery engine gives it Kubernetes events
 * ({@link Notification.KubeEvents}: one, or a digest when the sink's rate was exceeded) and it sends them the way
 * kube-eventer's sink of that kind does. One call is one attempt.
 *
 * <ul>
 *   <li>webhook: the body template (the ConfigMap's, else kube-eventer's default body) rendered from the event, with
 *       the sink's method and headers; any 2xx is success (kube-eventer: 200 only).</li>
 *   <li>dingtalk: kube-eventer's message ({@code msgtype} text or markdown), signed when {@code sign=} is given;
 *       DingTalk's {@code errcode} is checked (130101, too fast, is retried).</li>
 *   <li>wechat: the group robot's {@code {"msgtype":"text","text":{"content":...}}}; {@code errcode} checked
 *       (45009 retried). With {@code corp_id} (WeCom's application form), the application's message through
 *       {@link WeComAppSender} (access token kept and renewed).</li>
 *   <li>slack: an incoming webhook's {@code {"text":...}} (with {@code channel} when given).</li>
 * </ul>
 *
 * <p>The chat text is kube-eventer's ({@code Level:Warning \nKind:Pod \nNamespace:... \nMessage:...}, labels first),
 * with a {@code Count:} line when the event happened more than once.
 */
public final class EventSink implements Channel, AutoCloseable {

    static final long DINGTALK_TOO_FAST = 130101;
    static final long WECOM_FREQUENCY_LIMIT = 45009;

    private final SinkSpec spec;
    private final HttpSender sender;
    private final AtomicReference<BodyTemplate> template;
    private final Aggregator aggregator;
    private final AnswerCheck check;
    private final WeComAppSender weComApp;

    public EventSink(SinkSpec spec, HttpSender sender, BodyTemplate initial, Aggregator aggregator) {
        this.spec = spec;
        this.sender = sender;
        this.template = new AtomicReference<>(initial);
        this.aggregator = aggregator;
        this.weComApp = spec.weComApp() == null ? null : new WeComAppSender(spec.weComApp(), sender);
        this.check = switch (spec.kind()) {
            case DINGTALK -> new ErrorCodeCheck(List.of("errcode"), List.of("errmsg"), Set.of(DINGTALK_TOO_FAST),
                    sender.redactor());
            case WECHAT -> new ErrorCodeCheck(List.of("errcode"), List.of("errmsg"), Set.of(WECOM_FREQUENCY_LIMIT),
                    sender.redactor());
            default -> AnswerCheck.STATUS_ONLY;
        };
    }

    public SinkSpec spec() {
        return spec;
    }

    public EventFilter filter() {
        return spec.filter();
    }

    public Aggregator aggregator() {
        return aggregator;
    }

    /** The body template in use (the ConfigMap's once read, else the default). */
    public BodyTemplate template() {
        return template.get();
    }

    /** Uses {@code next} for every message from now on. */
    public void template(BodyTemplate next) {
        template.set(next);
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public String kind() {
        return "events-" + spec.kind().id();
    }

    @Override
    public int messagesPerMinute() {
        return spec.messagesPerMinute();
    }

    @Override
    public Future<Delivery> send(Notification notification) {
        if (!(notification instanceof Notification.KubeEvents events)) {
            return Future.succeededFuture(new Delivery.Rejected("an event sink sends Kubernetes events only"));
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        String body;
        String url = spec.url();
        HttpMethod method = HttpMethod.POST;
        try {
            switch (spec.kind()) {
                case WEBHOOK -> {
                    body = render(events);
                    spec.headers().forEach(headers::set);
                    method = HttpMethod.valueOf(spec.method());
                }
                case DINGTALK -> {
                    body = dingTalk(events).encode();
                    headers.set("Content-Type", "application/json");
                    if (spec.signSecret() != null) {
                        long timestamp = sender.clock().millis();
                        url += "&timestamp=" + timestamp + "&sign="
                                + URLEncoder.encode(sign(timestamp, spec.signSecret()), StandardCharsets.UTF_8);
                    }
                }
                case WECHAT -> {
                    if (weComApp != null) {
                        return CallerContext.keep(weComApp.send(text(events, false)));
                    }
                    body = new JsonObject().put("msgtype", "text")
                            .put("text", new JsonObject().put("content", text(events, false))).encode();
                    headers.set("Content-Type", "application/json");
                }
                case SLACK -> {
                    JsonObject json = new JsonObject();
                    if (spec.slackChannel() != null) {
                        json.put("channel", spec.slackChannel());
                    }
                    body = json.put("text", text(events, false)).encode();
                    headers.set("Content-Type", "application/json");
                }
                default -> throw new IllegalStateException(spec.kind().toString());
            }
        } catch (RuntimeException e) {
            return Future.succeededFuture(new Delivery.Rejected("event sink " + name() + " cannot build the message: "
                    + e.getMessage()));
        }
        return CallerContext.keep(sender.send(method, url, headers, Buffer.buffer(body), check));
    }

    /** The webhook body for these events: the template rendered from the newest, a digest's summary as message. */
    public String render(Notification.KubeEvents events) {
        KubeEventObserved latest = events.latest();
        EventView view = events.events().size() == 1 ? EventView.of(latest)
                : EventView.withMessage(latest, digestSummary(events));
        return template.get().render(view);
    }

    private JsonObject dingTalk(Notification.KubeEvents events) {
        JsonObject message = new JsonObject().put("msgtype", spec.msgType());
        if (spec.msgType().equals("markdown")) {
            message.put("text", new JsonObject().put("content", ""));
            message.put("markdown", new JsonObject()
                    .put("title", "Kubernetes(ID:" + spec.clusterId() + ") Event")
                    .put("text", markdown(events)));
        } else {
            message.put("text", new JsonObject().put("content", text(events, true)));
            message.put("markdown", new JsonObject().put("title", "").put("text", ""));
        }
        return message;
    }

    /** kube-eventer's text message; {@code dingTalkTime}: its DingTalk sink's time format, else Go's. */
    String text(Notification.KubeEvents events, boolean dingTalkTime) {
        StringBuilder text = new StringBuilder();
        for (String label : spec.labels()) {
            text.insert(0, label + "\n");
        }
        if (events.events().size() > 1) {
            text.append(events.events().size()).append(" Kubernetes events in ").append(events.window()).append(':');
            for (KubeEventObserved event : events.events()) {
                EventView view = EventView.of(event);
                text.append("\n").append(view.value("Type")).append(' ').append(view.value("InvolvedObject.Kind"))
                        .append(' ').append(object(view)).append(' ').append(view.value("Reason")).append(": ")
                        .append(view.message());
                if (view.count() > 1) {
                    text.append(" (x").append(view.count()).append(')');
                }
            }
            return text.toString();
        }
        EventView view = EventView.of(events.latest());
        String time = dingTalkTime ? GoTime.seconds(view.lastTimestamp()) : GoTime.string(view.lastTimestamp());
        text.append("Level:").append(view.value("Type"))
                .append(" \nKind:").append(view.value("InvolvedObject.Kind"))
                .append(" \nNamespace:").append(or(view.value("Namespace"), view.value("InvolvedObject.Namespace")))
                .append(" \nName:").append(or(view.value("Name"), view.value("InvolvedObject.Name")))
                .append(" \nReason:").append(view.value("Reason"))
                .append(" \nTimestamp:").append(time)
                .append(" \nMessage:").append(view.message());
        if (view.count() > 1) {
            text.append(" \nCount:").append(view.count());
        }
        return text.toString();
    }

    private String markdown(Notification.KubeEvents events) {
        StringBuilder text = new StringBuilder();
        for (KubeEventObserved event : events.events()) {
            EventView view = EventView.of(event);
            text.append("### ").append(view.value("Type")).append(": ").append(view.value("Reason")).append("\n")
                    .append("- Kind: ").append(view.value("InvolvedObject.Kind")).append("\n")
                    .append("- Object: ").append(object(view)).append("\n")
                    .append("- Node: ").append(view.value("Source.Host")).append("\n")
                    .append("- Time: ").append(GoTime.seconds(view.lastTimestamp())).append("\n")
                    .append("- Count: ").append(view.count()).append("\n")
                    .append("- Message: ").append(view.message()).append("\n");
        }
        if (!spec.region().isEmpty()) {
            text.append("- Region: ").append(spec.region()).append("\n");
        }
        for (String label : spec.labels()) {
            text.append("- ").append(label).append("\n");
        }
        return text.toString().stripTrailing();
    }

    private static String object(EventView view) {
        String namespace = view.value("InvolvedObject.Namespace");
        return (namespace.isEmpty() ? "" : namespace + "/") + view.value("InvolvedObject.Name");
    }

    private static String digestSummary(Notification.KubeEvents events) {
        KubeEventObserved latest = events.latest();
        return events.events().size() + " events in " + events.window() + "; the latest: "
                + EventView.of(latest).message();
    }

    private static String or(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }

    /** DingTalk's signature: Base64 of HMAC-SHA256(key = secret, timestamp + "\n" + secret), before URL encoding. */
    static String sign(long timestampMillis, String secret) {
        return Base64.getEncoder().encodeToString(Hmac.sha256(secret, timestampMillis + "\n" + secret));
    }

    @Override
    public void close() {
        sender.close();
    }

    @Override
    public String toString() {
        return "EventSink[" + name() + ", " + spec.kind().id() + "]";
    }
}
