package dev.winch.notifier.channel.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mapping of the channels file, read field by field. Every problem names the field's path
 * ({@code channels[2].url: ...}) and is collected, not thrown, so one load reports them all. A problem never
 * quotes the value of a secret, nor a value read from a reference (it may be one): only the reference itself.
 */
public final class Node {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");

    private final JsonNode node;
    private final String path;
    private final Problems problems;
    private final Map<String, String> environment;

    public Node(JsonNode node, String path, Problems problems, Map<String, String> environment) {
        this.node = node;
        this.path = path;
        this.problems = problems;
        this.environment = environment;
    }

    public String path() {
        return path;
    }

    public String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    public Problems problems() {
        return problems;
    }

    public boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    public void problem(String field, String message) {
        problems.add(path(field), message);
    }

    /** Reports every field not in {@code known}: a typo would otherwise be silently ignored. */
    public void rejectUnknownFields(Set<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                problems.add(path(name), "unknown field (known: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    public Optional<String> optionalString(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isValueNode() || value.isBinary()) {
            problem(field, "must be a text value");
            return Optional.empty();
        }
        String text = value.asText().trim();
        if (text.isEmpty()) {
            problem(field, "must not be empty");
            return Optional.empty();
        }
        return Optional.of(text);
    }

    public String requiredString(String field) {
        if (!has(field)) {
            problem(field, "is required");
            return "";
        }
        return optionalString(field).orElse("");
    }

    public int integer(String field, int defaultValue, int min, int max) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        int number;
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            number = value.intValue();
        } else if (value.isTextual()) {
            try {
                number = Integer.parseInt(value.asText().trim());
            } catch (NumberFormatException e) {
                problem(field, "must be a whole number, got '" + value.asText() + "'");
                return defaultValue;
            }
        } else {
            problem(field, "must be a whole number");
            return defaultValue;
        }
        if (number < min || number > max) {
            problem(field, "must be between " + min + " and " + max + ", got " + number);
            return defaultValue;
        }
        return number;
    }

    public boolean bool(String field, boolean defaultValue) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        String text = value.asText().trim().toLowerCase(Locale.ROOT);
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        problem(field, "must be true or false");
        return defaultValue;
    }

    /** A duration: {@code 10s}, {@code 500ms}, {@code 1m}, or a whole number of seconds. */
    public Duration duration(String field, Duration defaultValue) {
        Optional<String> text = optionalString(field);
        if (text.isEmpty()) {
            return defaultValue;
        }
        Matcher matcher = DURATION.matcher(text.get());
        if (!matcher.matches()) {
            problem(field, "must be a duration like 10s, 500ms or 1m, got '" + text.get() + "'");
            return defaultValue;
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        Duration duration = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (duration.isZero()) {
            problem(field, "must be longer than zero");
            return defaultValue;
        }
        return duration;
    }

    /** One of {@code choices} (case-insensitive), returned in lower case. */
    public String choice(String field, String defaultValue, List<String> choices) {
        Optional<String> text = optionalString(field);
        if (text.isEmpty()) {
            return defaultValue;
        }
        String lower = text.get().toLowerCase(Locale.ROOT);
        if (!choices.contains(lower)) {
            problem(field, "must be one of " + String.join(", ", choices) + ", got '" + text.get() + "'");
            return defaultValue;
        }
        return lower;
    }

    public List<String> strings(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (value.isTextual()) {
            return optionalString(field).map(List::of).orElse(List.of());
        }
        if (!value.isArray()) {
            problem(field, "must be a list");
            return List.of();
        }
        List<String> result = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (item == null || !item.isValueNode() || item.isNull() || item.asText().isBlank()) {
                problems.add(path(field) + "[" + i + "]", "must be a non-empty text value");
            } else {
                result.add(item.asText().trim());
            }
        }
        return result;
    }

    public Optional<Node> child(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isObject()) {
            problem(field, "must be a mapping");
            return Optional.empty();
        }
        return Optional.of(new Node(value, path(field), problems, environment));
    }

    public List<Node> list(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            problem(field, "must be a list");
            return List.of();
        }
        List<Node> result = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            String itemPath = path(field) + "[" + i + "]";
            if (!value.get(i).isObject()) {
                problems.add(itemPath, "must be a mapping");
            } else {
                result.add(new Node(value.get(i), itemPath, problems, environment));
            }
        }
        return result;
    }

    /**
     * A secret, only by reference: {@code {env: NAME}} or {@code {file: PATH}}, with {@code encoding: base64} when
     * the referenced value is base64 (as {@code echo <password> | base64} writes it: one trailing line break of
     * the decoded value is dropped). An inline value is refused without being repeated.
     */
    public Optional<Secret> secret(String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                problem(field, "is required");
            }
            return Optional.empty();
        }
        if (!value.isObject()) {
            problem(field, "a secret must be given by reference ({env: NAME} or {file: PATH}), not inline");
            return Optional.empty();
        }
        return reference(field, value, true).map(Secret::of);
    }

    /**
     * A value that may be inline (plain text) or by reference ({@code {env: NAME}}, {@code {file: PATH}}, with
     * optional {@code encoding: base64}). Values read from a reference are never quoted in problems.
     */
    public Optional<String> textOrReference(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (value.isObject()) {
            return reference(field, value, false);
        }
        return optionalString(field);
    }

    /** A mapping of names to values, each inline or by reference; the values are kept as secrets. */
    public Map<String, Secret> secretMap(String field) {
        Optional<Node> child = child(field);
        if (child.isEmpty()) {
            return Map.of();
        }
        Map<String, Secret> result = new LinkedHashMap<>();
        Iterator<String> names = child.get().node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            child.get().textOrReference(name).ifPresent(v -> result.put(name, Secret.of(v)));
        }
        return result;
    }

    private Optional<String> reference(String field, JsonNode value, boolean secret) {
        Node ref = new Node(value, path(field), problems, environment);
        ref.rejectUnknownFields(Set.of("env", "file", "encoding"));
        boolean hasEnv = ref.has("env");
        boolean hasFile = ref.has("file");
        if (hasEnv == hasFile) {
            problem(field, (secret ? "a secret " : "") + "must name exactly one of env or file");
            return Optional.empty();
        }
        String encoding = ref.choice("encoding", "plain", List.of("plain", "base64"));
        String raw;
        if (hasEnv) {
            String name = ref.requiredString("env");
            raw = environment.get(name);
            if (raw == null || raw.isBlank()) {
                problem(field, "environment variable " + name + " is not set");
                return Optional.empty();
            }
        } else {
            String file = ref.requiredString("file");
            try {
                raw = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                problem(field, "file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
                return Optional.empty();
            }
            if (raw.isBlank()) {
                problem(field, "file " + file + " is empty");
                return Optional.empty();
            }
        }
        String source = hasEnv ? "environment variable " + ref.optionalString("env").orElse("")
                : "file " + ref.optionalString("file").orElse("");
        if (encoding.equals("base64")) {
            try {
                raw = new String(Base64.getMimeDecoder().decode(raw.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                problem(field, "the value of " + source + " is not valid base64");
                return Optional.empty();
            }
        }
        String text = stripOneLineBreak(raw);
        if (text.isEmpty()) {
            problem(field, "the value of " + source + " is empty");
            return Optional.empty();
        }
        return Optional.of(text);
    }

    /**
     * A file or variable holding a secret usually ends with one line break the writer did not mean as part of it
     * ({@code echo ... | base64}, an editor's final newline): it is dropped, other whitespace is kept.
     */
    private static String stripOneLineBreak(String value) {
        if (value.endsWith("\r\n")) {
            return value.substring(0, value.length() - 2);
        }
        if (value.endsWith("\n")) {
            return value.substring(0, value.length() - 1);
        }
        return value;
    }

    /** An absolute http or https URL with a host; the value is not quoted in the problem (it may hold a token). */
    public static Optional<URI> httpUrl(String value, Node owner, String field) {
        try {
            URI uri = new URI(value.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                owner.problem(field, "must be an absolute http or https URL with a host");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            owner.problem(field, "is not a valid URL (" + e.getReason() + ")");
            return Optional.empty();
        }
    }
}
