package dev.winch.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --name value} command line of the scaler and upgrader benchmarks, parsed once against the defaults,
 * which also list the accepted names. A bad option fails with a message naming it.
 */
final class Flags {

    private final Map<String, String> values;

    private Flags(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses {@code args}, or prints the usage and exits: 0 for {@code --help}, 2 for a bad option.
     *
     * @param defaults every accepted option (without the dashes) and its default value
     */
    static Flags parseOrExit(String[] args, Map<String, String> defaults, String usage) {
        try {
            return parse(args, defaults);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.print(usage);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            throw e;
        }
    }

    static Flags parse(String[] args, Map<String, String> defaults) {
        Map<String, String> values = new LinkedHashMap<>(defaults);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new IllegalArgumentException("");
            }
            String name = arg.startsWith("--") ? arg.substring(2) : null;
            if (name == null || !defaults.containsKey(name)) {
                throw new IllegalArgumentException("unknown option " + arg);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            values.put(name, args[++i]);
        }
        return new Flags(values);
    }

    int integer(String name, int min, int max) {
        String value = values.get(name);
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException("--" + name + " must be between " + min + " and " + max
                        + ", got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + value + "'");
        }
    }

    /** The option's text as given (trimmed); "" when left empty. */
    String text(String name) {
        return values.get(name).trim();
    }

    /** An integer, or null when the option was left empty (the service's own default applies). */
    Integer optionalInteger(String name, int min, int max) {
        return values.get(name).isBlank() ? null : integer(name, min, max);
    }

    <E extends Enum<E>> E choice(String name, Class<E> type) {
        String value = values.get(name);
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + name + " must be one of "
                    + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()
                    + ", got '" + value + "'");
        }
    }

    List<String> list(String name) {
        return Arrays.stream(values.get(name).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** The options as given, for the report. */
    String describe() {
        StringBuilder text = new StringBuilder();
        values.forEach((name, value) -> text.append(text.length() == 0 ? "" : " ").append("--").append(name)
                .append(' ').append(value.isBlank() ? "''" : value));
        return text.toString();
    }
}
