package dev.winch.notifier.channel;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.winch.common.config.ConfigException;
import dev.winch.common.config.Secret;
import dev.winch.common.event.Outcome;
import dev.winch.notifier.channel.chat.BearyChatApi;
import dev.winch.notifier.channel.chat.ChatApi;
import dev.winch.notifier.channel.chat.ChatChannel;
import dev.winch.notifier.channel.chat.ChatEndpoint;
import dev.winch.notifier.channel.chat.DingTalkApi;
import dev.winch.notifier.channel.chat.FeishuApi;
import dev.winch.notifier.channel.chat.SlackApi;
import dev.winch.notifier.channel.chat.TeamsApi;
import dev.winch.notifier.channel.chat.WeComApi;
import dev.winch.notifier.channel.config.CaCertificate;
import dev.winch.notifier.channel.config.Node;
import dev.winch.notifier.channel.config.Problems;
import dev.winch.notifier.channel.http.HttpSender;
import dev.winch.notifier.channel.http.Redactor;
import dev.winch.notifier.channel.mail.SmtpChannel;
import dev.winch.notifier.channel.mail.SmtpSettings;
import dev.winch.notifier.channel.template.MessageTemplate;
import dev.winch.notifier.channel.template.TextFormat;
import dev.winch.notifier.channel.webhook.WebhookChannel;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channels file ({@code WINCH_NOTIFIER_CHANNELS_FILE}): the named channels and the default routes (for every
 * receiver). Read and checked completely at load: every problem is reported at once, each naming its field
 * ({@code channels[2].url: ...}), and nothing is built (no client, no connection) unless the whole file is valid.
 * Secrets are only given by reference ({@code {env: NAME}}, {@code {file: PATH}}) and never appear in a problem,
 * a log line or a {@code toString}.
 */
public final class ChannelsFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelsFile.class);

    /** Every channel kind, in the order the documentation lists them. */
    public static final List<String> KINDS =
            List.of("smtp", "dingtalk", "wecom", "slack", "feishu", "teams", "bearychat", "webhook");

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern MAIL_ADDRESS = Pattern.compile("[^\\s@<>,;\"]+@[^\\s@<>,;\"]+");
    /** An address with a display name, {@code Winch <winch@example.com>}. */
    private static final Pattern NAMED_MAIL_ADDRESS =
            Pattern.compile("[^<>\\r\\n,;]*<[^\\s@<>,;\"]+@[^\\s@<>,;\"]+>");
    private static final Set<String> COMMON_FIELDS = Set.of("name", "kind", "messagesPerMinute", "timeout");
    private static final Set<String> HTTP_FIELDS = Set.of("url", "verifyTls", "caCertificate");

    private final List<Channel> channels;
    private final Map<String, Channel> byName;
    private final List<Route> defaultRoutes;
    private final List<String> eventSinks;

    private ChannelsFile(List<Channel> channels, List<Route> defaultRoutes, List<String> eventSinks) {
        this.channels = List.copyOf(channels);
        this.byName = channels.stream().collect(Collectors.toUnmodifiableMap(Channel::name, Function.identity()));
        this.defaultRoutes = List.copyOf(defaultRoutes);
        this.eventSinks = List.copyOf(eventSinks);
    }

    /** No channels and no routes: the notifier without a channels file. */
    public static ChannelsFile empty() {
        return new ChannelsFile(List.of(), List.of(), List.of());
    }

    /**
     * The file's {@code eventSinks}: kube-eventer sink flags, one an entry, as written (read by
     * {@code dev.winch.notifier.events.sink.SinkFlags}, after the ones of {@code WINCH_NOTIFIER_EVENT_SINKS}).
     */
    public List<String> eventSinks() {
        return eventSinks;
    }

    public static ChannelsFile load(Path file, Map<String, String> environment, Vertx vertx) {
        return load(file, environment, vertx, Clock.systemUTC());
    }

    /**
     * Reads, checks and builds the channels of {@code file}.
     *
     * @param environment the process environment, for {@code {env: NAME}} references
     * @param clock       the time of the robots' signatures
     * @throws ConfigException listing every problem of the file
     */
    public static ChannelsFile load(Path file, Map<String, String> environment, Vertx vertx, Clock clock) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(List.of("channels file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")"));
        }
        ChannelsFile loaded = parse(text, environment, vertx, clock);
        LOG.atInfo().addKeyValue("file", file.toString()).log("channels: {}; default routes: {}",
                loaded.channels.stream().map(c -> c.name() + " (" + c.kind() + ")").toList(),
                loaded.defaultRoutes.size());
        return loaded;
    }

    /** As {@link #load(Path, Map, Vertx, Clock)}, from the file's text. */
    public static ChannelsFile parse(String yaml, Map<String, String> environment, Vertx vertx, Clock clock) {
        Problems problems = new Problems();
        JsonNode root = readYaml(yaml, problems);
        List<Definition> definitions = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        List<String> eventSinks = List.of();
        if (root != null) {
            Node top = new Node(root, "", problems, environment);
            top.rejectUnknownFields(Set.of("channels", "routes", "eventSinks"));
            eventSinks = top.strings("eventSinks");
            Set<String> names = new HashSet<>();
            for (Node channel : top.list("channels")) {
                definition(channel, names).ifPresent(definitions::add);
            }
            Set<String> known = definitions.stream().map(Definition::name).collect(Collectors.toSet());
            known.addAll(names);
            for (Node route : top.list("routes")) {
                route(route, known).ifPresent(routes::add);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.list());
        }
        List<Channel> channels = new ArrayList<>();
        for (Definition definition : definitions) {
            channels.add(definition.build(vertx, clock));
        }
        return new ChannelsFile(channels, routes, eventSinks);
    }

    private static JsonNode readYaml(String yaml, Problems problems) {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        try {
            JsonNode root = mapper.readTree(yaml);
            if (root == null || root.isMissingNode() || root.isNull()) {
                return null;
            }
            if (!root.isObject()) {
                problems.add("", "the channels file must be a mapping with channels and routes");
                return null;
            }
            return root;
        } catch (JsonProcessingException e) {
            // Only the position and the parser's own words (its original message quotes the line, which may be
            // an inline secret someone should not have written there).
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            problems.add("", "not valid YAML" + where + problem(e));
            return null;
        }
    }

    private static String problem(JsonProcessingException e) {
        Throwable cause = e.getCause();
        if (cause instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked && marked.getProblem() != null) {
            return ": " + marked.getProblem();
        }
        String original = e.getOriginalMessage();
        if (original != null && original.startsWith("Duplicate field")) {
            return ": " + original;
        }
        return "";
    }

    public List<Channel> channels() {
        return channels;
    }

    /** The channel named {@code name}, or null. */
    public Channel channel(String name) {
        return byName.get(name);
    }

    public List<Route> defaultRoutes() {
        return defaultRoutes;
    }

    @Override
    public void close() {
        for (Channel channel : channels) {
            if (channel instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.atWarn().addKeyValue("channel", channel.name()).log("closing the channel failed: {}",
                            e.toString());
                }
            }
        }
    }

    private static Optional<Route> route(Node node, Set<String> channels) {
        node.rejectUnknownFields(Set.of("channel", "outcomes"));
        String channel = node.requiredString("channel");
        if (!channel.isEmpty() && !channels.contains(channel)) {
            node.problem("channel", "no channel is named '" + channel + "'");
        }
        Set<Outcome> outcomes = EnumSet.noneOf(Outcome.class);
        List<String> names = node.strings("outcomes");
        for (int i = 0; i < names.size(); i++) {
            Optional<Outcome> outcome = outcome(names.get(i));
            if (outcome.isPresent()) {
                outcomes.add(outcome.get());
            } else {
                node.problems().add(node.path("outcomes") + "[" + i + "]", "unknown outcome '" + names.get(i)
                        + "' (one of " + knownOutcomes() + ")");
            }
        }
        return channel.isEmpty() ? Optional.empty() : Optional.of(new Route(channel, outcomes));
    }

    private static Optional<Outcome> outcome(String name) {
        return Arrays.stream(Outcome.values()).filter(o -> o != Outcome.UNKNOWN)
                .filter(o -> o.name().equalsIgnoreCase(name)).findFirst();
    }

    private static String knownOutcomes() {
        return Arrays.stream(Outcome.values()).filter(o -> o != Outcome.UNKNOWN).map(Enum::name)
                .collect(Collectors.joining(", "));
    }

    private static Optional<Definition> definition(Node node, Set<String> names) {
        String name = node.requiredString("name");
        if (!name.isEmpty()) {
            if (!NAME.matcher(name).matches()) {
                node.problem("name", "must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter"
                        + " or digit");
            } else if (!names.add(name)) {
                node.problem("name", "another channel is already named '" + name + "'");
            }
        }
        String kind = node.requiredString("kind").toLowerCase(Locale.ROOT);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        if (!KINDS.contains(kind)) {
            node.problem("kind", "unknown kind '" + kind + "' (one of " + String.join(", ", KINDS) + ")");
            return Optional.empty();
        }
        int messagesPerMinute = node.integer("messagesPerMinute", defaultMessagesPerMinute(kind), 1, 600_000);
        Duration timeout = node.duration("timeout", DEFAULT_TIMEOUT);
        return switch (kind) {
            case "smtp" -> smtp(node, name, messagesPerMinute, timeout);
            case "webhook" -> webhook(node, name, messagesPerMinute, timeout);
            default -> chat(node, kind, name, messagesPerMinute, timeout);
        };
    }

    /** What each API takes (DingTalk and WeCom robots 20 a minute, Feishu 100, Slack about one a second). */
    public static int defaultMessagesPerMinute(String kind) {
        return switch (kind) {
            case "dingtalk", "wecom" -> 20;
            case "feishu" -> 100;
            case "slack", "teams", "bearychat" -> 60;
            case "smtp" -> 30;
            default -> 600;
        };
    }

    private static Optional<Definition> chat(Node node, String kind, String name, int messagesPerMinute,
            Duration timeout) {
        boolean signed = kind.equals("dingtalk") || kind.equals("feishu");
        Set<String> fields = new HashSet<>(COMMON_FIELDS);
        fields.addAll(HTTP_FIELDS);
        fields.addAll(Set.of("template", "title"));
        if (signed) {
            fields.add("secret");
        }
        node.rejectUnknownFields(fields);
        Optional<Secret> url = node.secret("url", true);
        Optional<URI> uri = url.flatMap(u -> Node.httpUrl(u.reveal(), node, "url"));
        Secret secret = signed ? node.secret("secret", false).orElse(null) : null;
        boolean verifyTls = node.bool("verifyTls", true);
        CaCertificate ca = CaCertificate.read(node, "caCertificate").orElse(null);
        TextFormat format = kind.equals("slack") ? TextFormat.SLACK : TextFormat.MARKDOWN;
        MessageTemplate text = template(node, "template", kind + ".peb", format);
        MessageTemplate title = template(node, "title", "title.peb", TextFormat.LINE);
        if (uri.isEmpty() || text == null || title == null) {
            return Optional.empty();
        }
        return Optional.of(new Definition(name, (vertx, clock) -> {
            List<String> secrets = secret == null ? List.of() : List.of(secret.reveal());
            HttpSender sender = new HttpSender(HttpSender.client(vertx, timeout, verifyTls, ca == null ? null : ca.pem()),
                    timeout, clock, Redactor.of(uri.get(), secrets));
            ChatEndpoint endpoint = new ChatEndpoint(sender, url.get(), secret);
            ChatApi api = switch (kind) {
                case "dingtalk" -> new DingTalkApi(endpoint);
                case "wecom" -> new WeComApi(endpoint);
                case "slack" -> new SlackApi(endpoint);
                case "feishu" -> new FeishuApi(endpoint);
                case "teams" -> new TeamsApi(endpoint);
                case "bearychat" -> new BearyChatApi(endpoint);
                default -> throw new IllegalStateException("not a chat kind: " + kind);
            };
            return new ChatChannel(name, api, messagesPerMinute, title, text);
        }));
    }

    private static Optional<Definition> webhook(Node node, String name, int messagesPerMinute, Duration timeout) {
        Set<String> fields = new HashSet<>(COMMON_FIELDS);
        fields.addAll(HTTP_FIELDS);
        fields.addAll(Set.of("signingSecret", "headers", "cloudEvent", "source"));
        node.rejectUnknownFields(fields);
        if (!node.has("url")) {
            node.problem("url", "is required");
        }
        Optional<String> url = node.textOrReference("url");
        Optional<URI> uri = url.flatMap(u -> Node.httpUrl(u, node, "url"));
        Secret signingSecret = node.secret("signingSecret", false).orElse(null);
        Map<String, Secret> headers = node.secretMap("headers");
        for (String header : headers.keySet()) {
            if (!header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                node.problem("headers." + header, "is not a valid header name");
            }
        }
        boolean cloudEvent = node.bool("cloudEvent", false);
        String source = node.optionalString("source").orElse("/winch/notifier");
        boolean verifyTls = node.bool("verifyTls", true);
        CaCertificate ca = CaCertificate.read(node, "caCertificate").orElse(null);
        if (uri.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Definition(name, (vertx, clock) -> {
            List<String> secrets = new ArrayList<>();
            if (signingSecret != null) {
                secrets.add(signingSecret.reveal());
            }
            headers.values().forEach(v -> secrets.add(v.reveal()));
            HttpSender sender = new HttpSender(HttpSender.client(vertx, timeout, verifyTls, ca == null ? null : ca.pem()),
                    timeout, clock, Redactor.of(uri.get(), secrets));
            return new WebhookChannel(name, Secret.of(url.get()), sender, messagesPerMinute, signingSecret, headers,
                    cloudEvent, source);
        }));
    }

    private static Optional<Definition> smtp(Node node, String name, int messagesPerMinute, Duration timeout) {
        Set<String> fields = new HashSet<>(COMMON_FIELDS);
        fields.addAll(Set.of("host", "port", "tls", "verifyTls", "caCertificate", "from", "username", "password",
                "to", "template", "textTemplate", "subject"));
        node.rejectUnknownFields(fields);
        String host = node.requiredString("host");
        int explicitPort = node.integer("port", 0, 1, 65535);
        String defaultTls = explicitPort == 465 ? "implicit" : "starttls";
        SmtpSettings.Tls tls = SmtpSettings.Tls.valueOf(
                node.choice("tls", defaultTls, List.of("implicit", "starttls", "none")).toUpperCase(Locale.ROOT));
        int port = explicitPort == 0 ? tls.defaultPort() : explicitPort;
        boolean verifyTls = node.bool("verifyTls", true);
        CaCertificate ca = CaCertificate.read(node, "caCertificate").orElse(null);
        String from = node.requiredString("from");
        if (!from.isEmpty() && !MAIL_ADDRESS.matcher(from).matches()
                && !NAMED_MAIL_ADDRESS.matcher(from).matches()) {
            node.problem("from", "is not a mail address");
        }
        String username = node.optionalString("username").orElse(null);
        Secret password = node.secret("password", false).orElse(null);
        if (username != null && password == null && !node.has("password")) {
            node.problem("password", "is required with a username");
        }
        List<String> to = node.strings("to");
        if (to.isEmpty() && !node.has("to")) {
            node.problem("to", "is required: at least one recipient");
        }
        for (int i = 0; i < to.size(); i++) {
            if (!MAIL_ADDRESS.matcher(to.get(i)).matches()) {
                node.problems().add(node.path("to") + "[" + i + "]", "is not a mail address");
            }
        }
        MessageTemplate html = template(node, "template", "mail-html.peb", TextFormat.HTML);
        MessageTemplate text = template(node, "textTemplate", "mail-text.peb", TextFormat.TEXT);
        MessageTemplate subject = template(node, "subject", "mail-subject.peb", TextFormat.LINE);
        if (host.isEmpty() || html == null || text == null || subject == null) {
            return Optional.empty();
        }
        SmtpSettings settings = new SmtpSettings(host, port, tls, verifyTls, ca, from, username, password, to,
                timeout);
        return Optional.of(new Definition(name, (vertx, clock) ->
                new SmtpChannel(vertx, name, settings, messagesPerMinute, subject, html, text)));
    }

    /** The channel's own template (inline or {@code {file: PATH}}), else the built-in one; null on a problem. */
    private static MessageTemplate template(Node node, String field, String builtIn, TextFormat format) {
        Optional<String> source = node.textOrReference(field);
        if (source.isEmpty()) {
            return node.has(field) ? null : MessageTemplate.builtIn(builtIn, format);
        }
        try {
            return MessageTemplate.compile(source.get(), format);
        } catch (IllegalArgumentException e) {
            node.problem(field, "is not a valid template: " + e.getMessage());
            return null;
        }
    }

    /** A checked channel, built only once the whole file is known to be valid. */
    private record Definition(String name, Builder builder) {
        Channel build(Vertx vertx, Clock clock) {
            return builder.build(vertx, clock);
        }
    }

    @FunctionalInterface
    private interface Builder {
        Channel build(Vertx vertx, Clock clock);
    }

    @Override
    public String toString() {
        Map<String, String> kinds = new LinkedHashMap<>();
        channels.forEach(c -> kinds.put(c.name(), c.kind()));
        return "ChannelsFile" + kinds + " routes=" + defaultRoutes;
    }
}
