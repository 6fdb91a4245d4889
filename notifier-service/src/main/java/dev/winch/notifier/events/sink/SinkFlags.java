package dev.winch.notifier.events.sink;

import com.google.re2j.Pattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads kube-eventer's sink flags as its users write them, one sink a line: {@code --sink=webhook:<URL>?...},
 * {@code --sink webhook:<URL>?...} or a bare {@code webhook:<URL>?...}; quotes around the value, blank lines and
 * lines starting with {@code #} are allowed. Kinds: {@code webhook}, {@code dingtalk}, {@code wechat} (the group
 * robot's webhook URL), {@code slack}. No I/O.
 *
 * <p>The parameters the sink reads are taken out of the URL; the others stay in it, as the endpoint's own (DingTalk's
 * {@code access_token}, WeCom's {@code key}). kube-eventer sends its webhook the URL with every parameter, its own
 * included; the endpoints ignore what they do not know, so the difference shows only in a webhook receiver's logs.
 */
public final class SinkFlags {

    static final Set<String> COMMON = Set.of("level", "namespaces", "kinds", "reason", "exclude_namespaces",
            "exclude_kinds", "exclude_reason", "sink_name", "rate");
    static final Set<String> WEBHOOK = Set.of("method", "header", "custom_body_configmap",
            "custom_body_configmap_namespace");
    static final Set<String> DINGTALK = Set.of("label", "msg_type", "sign", "cluster_id", "region");
    static final Set<String> WECHAT = Set.of("label");
    static final Set<String> WECHAT_APP = Set.of("corp_id", "corp_secret", "agent_id", "to_user", "to_party", "to_tag");
    /** Where a WeCom application's requests go unless the flag names another API base before its {@code ?}. */
    static final String WECOM_API = "https://qyapi.weixin.qq.com";
    static final Set<String> SLACK = Set.of("label", "channel");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    private SinkFlags() {
    }

    /**
     * @param origin where the text comes from, for errors ({@code WINCH_NOTIFIER_EVENT_SINKS})
     * @throws IllegalArgumentException naming the origin, the line and the parameter at fault
     */
    public static List<SinkSpec> parse(String text, String origin) {
        List<String> lines = List.of(text.split("\\R"));
        return parse(lines, i -> origin + " line " + (i + 1), 1);
    }

    /**
     * One flag per entry (the channels file's {@code eventSinks}); the same forms and errors as
     * {@link #parse(String, String)}, naming the entry as {@code origin[i]}.
     *
     * @param firstPosition the place of the first sink among all sinks, for the default names
     */
    public static List<SinkSpec> parse(List<String> flags, String origin, int firstPosition) {
        return parse(flags, i -> origin + "[" + i + "]", firstPosition);
    }

    private static List<SinkSpec> parse(List<String> flags, java.util.function.IntFunction<String> where,
            int firstPosition) {
        List<SinkSpec> sinks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int position = firstPosition - 1;
        for (int i = 0; i < flags.size(); i++) {
            String flag = flags.get(i).strip();
            if (flag.isEmpty() || flag.startsWith("#")) {
                continue;
            }
            position++;
            SinkSpec sink;
            try {
                sink = parseOne(flag, position);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where.apply(i) + ": " + e.getMessage(), e);
            }
            if (!names.add(sink.name())) {
                throw new IllegalArgumentException(where.apply(i) + ": sink_name: '" + sink.name()
                        + "' is the name of another sink");
            }
            sinks.add(sink);
        }
        return sinks;
    }

    static SinkSpec parseOne(String flag, int position) {
        String value = flag;
        if (value.startsWith("--sink=")) {
            value = value.substring("--sink=".length());
        } else if (value.startsWith("--sink ")) {
            value = value.substring("--sink ".length()).strip();
        } else if (value.startsWith("-")) {
            throw new IllegalArgumentException("only --sink flags are read, not '" + value.split("[= ]", 2)[0] + "'");
        }
        value = unquote(value.strip());
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("a sink is <kind>:<URL>, e.g. webhook:https://example.com/hook");
        }
        String kindText = value.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        SinkSpec.Kind kind = switch (kindText) {
            case "webhook" -> SinkSpec.Kind.WEBHOOK;
            case "dingtalk" -> SinkSpec.Kind.DINGTALK;
            case "wechat" -> SinkSpec.Kind.WECHAT;
            case "slack" -> SinkSpec.Kind.SLACK;
            default -> throw new IllegalArgumentException("sink kind '" + kindText
                    + "' is not supported; supported: webhook, dingtalk, wechat, slack");
        };
        String rest = value.substring(colon + 1);
        int question = rest.indexOf('?');
        String base = question < 0 ? rest : rest.substring(0, question);
        String query = question < 0 ? "" : rest.substring(question + 1);
        Map<String, List<String>> params = new LinkedHashMap<>();
        List<String> kept = new ArrayList<>();
        Set<String> own = new HashSet<>(COMMON);
        own.addAll(switch (kind) {
            case WEBHOOK -> WEBHOOK;
            case DINGTALK -> DINGTALK;
            case WECHAT -> WECHAT;
            case SLACK -> SLACK;
        });
        if (kind == SinkSpec.Kind.WECHAT) {
            own.addAll(WECHAT_APP);
        }
        for (String key : own.stream().sorted().toList()) {
            if (base.contains("&" + key + "=")) {
                throw new IllegalArgumentException(key + ": the sink's parameters follow a '?' (<URL>?" + key
                        + "=...), and this URL has none before them");
            }
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (own.contains(key)) {
                params.computeIfAbsent(key, k -> new ArrayList<>()).add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            } else {
                kept.add(pair);
            }
        }
        boolean weComApp = kind == SinkSpec.Kind.WECHAT && WECHAT_APP.stream().anyMatch(params::containsKey);
        if (weComApp && base.isBlank()) {
            base = WECOM_API; // kube-eventer's form: wechat:?corp_id=...
        }
        String url = base + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the URL is not valid (" + e.getReason() + ")");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("the URL must be http:// or https:// with a host");
        }
        SinkSpec.WeComApp app = weComApp ? weComApp(params, url) : null;
        if (kind == SinkSpec.Kind.DINGTALK && (uri.getRawQuery() == null || !uri.getRawQuery().contains("access_token="))) {
            throw new IllegalArgumentException("access_token: a DingTalk robot URL needs its access_token");
        }

        EventFilter filter = filter(params);
        String method = first(params, "method", "GET").toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("method: '" + method + "' is not one of " + METHODS);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header : params.getOrDefault("header", List.of())) {
            int eq = header.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("header: '" + header + "' is not Name=Value");
            }
            headers.put(header.substring(0, eq).strip(), header.substring(eq + 1).strip());
        }
        SinkSpec.ConfigMapRef configMap = null;
        String configMapName = first(params, "custom_body_configmap", "");
        if (!configMapName.isBlank()) {
            configMap = new SinkSpec.ConfigMapRef(first(params, "custom_body_configmap_namespace", "default"),
                    configMapName.strip());
        } else if (params.containsKey("custom_body_configmap_namespace")) {
            throw new IllegalArgumentException("custom_body_configmap_namespace: given without custom_body_configmap");
        }
        String msgType = first(params, "msg_type", "text").toLowerCase(Locale.ROOT);
        if (!msgType.equals("text") && !msgType.equals("markdown")) {
            throw new IllegalArgumentException("msg_type: must be text or markdown, not '" + msgType + "'");
        }
        String sign = first(params, "sign", "");
        int rate = kind.defaultRate;
        String rateText = first(params, "rate", "");
        if (!rateText.isBlank()) {
            try {
                rate = Integer.parseInt(rateText.strip());
            } catch (NumberFormatException e) {
                rate = -1;
            }
            if (rate < 1 || rate > 100_000) {
                throw new IllegalArgumentException("rate: messages a minute, 1 to 100000, not '" + rateText + "'");
            }
        }
        String name = first(params, "sink_name", "events-" + kind.id() + "-" + position).strip();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("sink_name: '" + name
                    + "' must be letters, digits, '.', '_' or '-' (at most 63)");
        }
        String slackChannel = params.containsKey("channel") ? first(params, "channel", "") : null;
        return new SinkSpec(name, kind, url, method, headers, configMap, filter,
                params.getOrDefault("label", List.of()), msgType, sign.isEmpty() ? null : sign,
                first(params, "cluster_id", ""), first(params, "region", ""), slackChannel, rate, app);
    }

    private static SinkSpec.WeComApp weComApp(Map<String, List<String>> params, String url) {
        String corpId = first(params, "corp_id", "").strip();
        String secret = first(params, "corp_secret", "").strip();
        String agent = first(params, "agent_id", "").strip();
        if (corpId.isEmpty()) {
            throw new IllegalArgumentException("corp_id: the WeCom application form needs corp_id, corp_secret and "
                    + "agent_id");
        }
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("corp_secret: the WeCom application form needs the application's "
                    + "secret");
        }
        int agentId;
        try {
            agentId = Integer.parseInt(agent);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("agent_id: the application's AgentId, a number, not '" + agent + "'");
        }
        if (url.contains("?")) {
            throw new IllegalArgumentException("the WeCom application form takes only the API's base before '?' "
                    + "(default " + WECOM_API + "), not other parameters");
        }
        List<String> users = new ArrayList<>();
        for (String user : first(params, "to_user", "").split(",")) {
            if (!user.isBlank()) {
                users.add(user.strip());
            }
        }
        if (users.isEmpty()) {
            users.add("@all");
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return new SinkSpec.WeComApp(base, corpId, secret, agentId, users,
                String.join("|", EventFilter.values(params.getOrDefault("to_party", List.of()))),
                String.join("|", EventFilter.values(params.getOrDefault("to_tag", List.of()))));
    }

    private static EventFilter filter(Map<String, List<String>> params) {
        String level = first(params, "level", "Warning").strip();
        boolean normalToo;
        if (level.equalsIgnoreCase("Warning")) {
            normalToo = false;
        } else if (level.equalsIgnoreCase("Normal")) {
            normalToo = true;
        } else {
            throw new IllegalArgumentException("level: must be Warning or Normal, not '" + level + "'");
        }
        List<Pattern> namespaces = EventFilter.patterns("namespaces",
                EventFilter.values(params.getOrDefault("namespaces", List.of())));
        List<String> kinds = EventFilter.values(params.getOrDefault("kinds", List.of()));
        List<Pattern> reasons = EventFilter.patterns("reason",
                EventFilter.values(params.getOrDefault("reason", List.of())));
        List<Pattern> excludedNamespaces = EventFilter.patterns("exclude_namespaces",
                EventFilter.values(params.getOrDefault("exclude_namespaces", List.of())));
        List<String> excludedKinds = EventFilter.values(params.getOrDefault("exclude_kinds", List.of()));
        List<Pattern> excludedReasons = EventFilter.patterns("exclude_reason",
                EventFilter.values(params.getOrDefault("exclude_reason", List.of())));
        return new EventFilter(normalToo, namespaces, kinds, reasons, excludedNamespaces, excludedKinds,
                excludedReasons);
    }

    private static String first(Map<String, List<String>> params, String key, String fallback) {
        List<String> values = params.get(key);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static String unquote(String text) {
        if (text.length() >= 2 && (text.startsWith("\"") && text.endsWith("\"")
                || text.startsWith("'") && text.endsWith("'"))) {
            return text.substring(1, text.length() - 1);
        }
        return text;
    }
}
