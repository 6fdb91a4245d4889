package dev.winch.common.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Typed reads of environment variables with defaults. Problems are collected, not thrown one at a time, so a
 * misconfigured service names every bad variable at once: call {@link #validate()} after reading.
 */
public final class Env {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private final Map<String, String> variables;
    private final List<String> problems = new ArrayList<>();

    public Env(Map<String, String> variables) {
        this.variables = Map.copyOf(variables);
    }

    /** The raw value when set and not blank. */
    public Optional<String> optional(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** Every variable whose name starts with {@code prefix} and whose value is not blank, by name; values trimmed. */
    public SortedMap<String, String> startingWith(String prefix) {
        SortedMap<String, String> found = new TreeMap<>();
        variables.forEach((name, value) -> {
            if (name.startsWith(prefix) && value != null && !value.isBlank()) {
                found.put(name, value.trim());
            }
        });
        return found;
    }

    public String string(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    public String required(String name) {
        return optional(name).orElseGet(() -> {
            problems.add(name + " is required");
            return "";
        });
    }

    public int integer(String name, int defaultValue, int min, int max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                problems.add(name + " must be between " + min + " and " + max + ", got " + value);
                return defaultValue;
            }
            return value;
        } catch (NumberFormatException e) {
            problems.add(name + " must be a whole number, got '" + raw.get() + "'");
            return defaultValue;
        }
    }

    public int port(String name, int defaultValue) {
        return integer(name, defaultValue, 0, 65535);
    }

    public boolean bool(String name, boolean defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> {
                problems.add(name + " must be true or false, got '" + raw.get() + "'");
                yield defaultValue;
            }
        };
    }

    /** A duration as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT30S}); at least {@code min}. */
    public Duration duration(String name, Duration defaultValue, Duration min) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Duration value = parseDuration(raw.get());
        if (value == null) {
            problems.add(name + " must be a duration like 500ms, 30s, 5m or PT30S, got '" + raw.get() + "'");
            return defaultValue;
        }
        if (value.compareTo(min) < 0) {
            problems.add(name + " must be at least " + min.toMillis() + "ms, got '" + raw.get() + "'");
            return defaultValue;
        }
        return value;
    }

    public <E extends Enum<E>> E choice(String name, Class<E> type, E defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(raw.get().replace('-', '_'))) {
                return constant;
            }
        }
        problems.add(name + " must be one of " + Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                + ", got '" + raw.get() + "'");
        return defaultValue;
    }

    public Optional<Secret> secret(String name) {
        return optional(name).map(Secret::of);
    }

    /** A path that, when given, must name a readable file. */
    public Optional<Path> readableFile(String name) {
        return optional(name).map(Path::of).filter(path -> {
            if (!java.nio.file.Files.isReadable(path) || java.nio.file.Files.isDirectory(path)) {
                problems.add(name + " must name a readable file, got '" + path + "'");
                return false;
            }
            return true;
        });
    }

    /**
     * An address to listen on: an IPv4 or IPv6 literal ({@code 0.0.0.0}, {@code 127.0.0.1}, {@code ::}) or a host
     * name ({@code localhost}). Checked by its syntax only: resolving a name here would wait on DNS at start.
     */
    public String bindAddress(String name, String defaultValue) {
        String value = string(name, defaultValue);
        if (IPV4.matcher(value).matches() || isIpv6Literal(value)
                || (HOST_NAME.matcher(value).matches() && !value.matches("[0-9.]+"))) {
            return value;
        }
        problems.add(name + " must be an IP address or a host name to listen on, got '" + value + "'");
        return defaultValue;
    }

    private static boolean isIpv6Literal(String value) {
        if (!value.contains(":") || !value.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            // A string with a colon is parsed as an IPv6 literal, never looked up (an IPv4-mapped one, ::ffff:a.b.c.d,
            // comes back as the IPv4 address).
            java.net.InetAddress.getByName(value);
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public Optional<URI> uri(String name) {
        return optional(name).flatMap(raw -> {
            try {
                URI uri = URI.create(raw);
                if (uri.getScheme() == null) {
                    problems.add(name + " must be an absolute URI, got '" + raw + "'");
                    return Optional.empty();
                }
                return Optional.of(uri);
            } catch (IllegalArgumentException e) {
                problems.add(name + " must be a URI, got '" + raw + "'");
                return Optional.empty();
            }
        });
    }

    /** Records a problem found by a check across several variables. */
    public void problem(String message) {
        problems.add(message);
    }

    /** @throws ConfigException naming every variable that was missing or invalid */
    public void validate() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    static Duration parseDuration(String raw) {
        Matcher m = DURATION.matcher(raw.trim());
        try {
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            }
            return Duration.parse(raw.trim());
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            // too large to be a duration, or not one at all: reported as a problem by the caller
            return null;
        }
    }
}
