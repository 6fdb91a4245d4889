package dev.winch.notifier.channel.template;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.extension.escaper.EscapingStrategy;
import io.pebbletemplates.pebble.loader.StringLoader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A compiled Pebble template and the format it writes. Compiled once, at load, so a broken template fails at
 * start; rendering is thread-safe.
 */
public final class MessageTemplate {

    private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n\\t\\u2028\\u2029\\u0085]+");
    private static final Map<TextFormat, PebbleEngine> ENGINES = engines();

    private final PebbleTemplate template;
    private final TextFormat format;

    private MessageTemplate(PebbleTemplate template, TextFormat format) {
        this.template = template;
        this.format = format;
    }

    /**
     * Compiles {@code source}.
     *
     * @throws IllegalArgumentException with the engine's description of the problem (line and cause)
     */
    public static MessageTemplate compile(String source, TextFormat format) {
        try {
            return new MessageTemplate(ENGINES.get(format).getTemplate(source), format);
        } catch (PebbleException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    /** One of the templates shipped with the notifier ({@code dingtalk.peb}, {@code mail-html.peb} ...). */
    public static MessageTemplate builtIn(String name, TextFormat format) {
        return compile(builtInSource(name), format);
    }

    public static String builtInSource(String name) {
        try (InputStream in = MessageTemplate.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no built-in template " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TextFormat format() {
        return format;
    }

    /**
     * The message for {@code model} (see {@link MessageModel}), without trailing blank lines.
     *
     * @throws IllegalArgumentException when the template fails on this model
     */
    public String render(Map<String, Object> model) {
        StringWriter out = new StringWriter();
        try {
            template.evaluate(out, model, Locale.ROOT);
        } catch (PebbleException e) {
            throw new IllegalArgumentException(describe(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString().stripTrailing();
    }

    private static String describe(PebbleException e) {
        String message = e.getPebbleMessage() == null ? e.getMessage() : e.getPebbleMessage();
        return e.getLineNumber() == null ? message : "line " + e.getLineNumber() + ": " + message;
    }

    private static String oneLine(String value) {
        return LINE_BREAKS.matcher(value).replaceAll(" ");
    }

    private static Map<TextFormat, PebbleEngine> engines() {
        EscapingStrategy line = MessageTemplate::oneLine;
        EscapingStrategy slack = value -> oneLine(value).replace("&", "&amp;").replace("<", "&lt;")
                .replace(">", "&gt;");
        Map<TextFormat, PebbleEngine> engines = new EnumMap<>(TextFormat.class);
        for (TextFormat format : TextFormat.values()) {
            PebbleEngine.Builder builder = new PebbleEngine.Builder()
                    .loader(new StringLoader())
                    // Templates are compiled once per channel and kept by it; the engine's cache would only hold
                    // a second copy keyed by the whole source.
                    .cacheActive(false)
                    .newLineTrimming(false)
                    .strictVariables(false)
                    .addEscapingStrategy("markdown", line)
                    .addEscapingStrategy("line", line)
                    .addEscapingStrategy("slack", slack);
            if (format == TextFormat.TEXT) {
                builder.autoEscaping(false);
            } else {
                builder.autoEscaping(true).defaultEscapingStrategy(format.strategy());
            }
            engines.put(format, builder.build());
        }
        return engines;
    }
}
