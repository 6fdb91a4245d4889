package dev.winch.notifier.events.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kube-eventer body template: text with Go-template field actions ({@code {{ .Reason }}},
 * {@code {{ .InvolvedObject.Kind }}}), rendered from one Kubernetes Event. Each value is JSON-escaped (without
 * quotes: the template has them), so a message with quotes, backslashes, newlines or control characters still
 * yields the JSON the template meant; other text is copied byte for byte.
 *
 * <p>Supported: field actions with the fields of {@link EventView#fields()}, Go's whitespace trim markers
 * ({@code {{- .Reason -}}}) and comments ({@code {{/* ... * /}}}). Anything else Go's templates can do (pipelines,
 * functions, {@code if}, {@code range}) is refused when the template is read, with the action and its line, and so is
 * an unknown field: kube-eventer's templates only ever name fields, and a template refused at load is better than a
 * body that is wrong at every event.
 */
public final class BodyTemplate {

    /** kube-eventer's default webhook body (as its documentation shows it: valid JSON). */
    public static final String DEFAULT_BODY = """
            {
            \t"EventType": "{{ .Type }}",
            \t"EventKind": "{{ .InvolvedObject.Kind }}",
            \t"EventReason": "{{ .Reason }}",
            \t"EventTime": "{{ .EventTime }}",
            \t"EventMessage": "{{ .Message }}"
            }""";

    private static final Pattern FIELD = Pattern.compile("\\.([A-Za-z][A-Za-z0-9_]*(?:\\.[A-Za-z][A-Za-z0-9_]*)*)");

    private sealed interface Part {
    }

    private record Text(String text) implements Part {
    }

    private record Field(String path) implements Part {
    }

    private final List<Part> parts;
    private final String source;

    private BodyTemplate(List<Part> parts, String source) {
        this.parts = List.copyOf(parts);
        this.source = source;
    }

    public static BodyTemplate defaultBody() {
        return parse(DEFAULT_BODY);
    }

    /**
     * @throws IllegalArgumentException naming the action, its line and what is supported
     */
    public static BodyTemplate parse(String template) {
        List<Part> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int at = 0;
        while (true) {
            int open = template.indexOf("{{", at);
            if (open < 0) {
                text.append(template, at, template.length());
                break;
            }
            int close = template.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("line " + line(template, open) + ": '{{' without '}}'");
            }
            String action = template.substring(open + 2, close);
            text.append(template, at, open);
            boolean trimLeft = action.startsWith("-") && (action.length() == 1 || Character.isWhitespace(action.charAt(1)));
            boolean trimRight = action.endsWith("-") && action.length() > 1
                    && Character.isWhitespace(action.charAt(action.length() - 2));
            String inner = action.substring(trimLeft ? 1 : 0, action.length() - (trimRight ? 1 : 0)).strip();
            if (trimLeft) {
                int end = text.length();
                while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
                    end--;
                }
                text.setLength(end);
            }
            at = close + 2;
            if (trimRight) {
                while (at < template.length() && Character.isWhitespace(template.charAt(at))) {
                    at++;
                }
            }
            if (inner.startsWith("/*") && inner.endsWith("*/")) {
                continue;
            }
            Matcher field = FIELD.matcher(inner);
            if (!field.matches()) {
                throw new IllegalArgumentException("line " + line(template, open) + ": {{" + action
                        + "}} is not supported: only field actions such as {{ .Reason }} or {{ .InvolvedObject.Kind }}");
            }
            String path = field.group(1);
            if (!EventView.fields().contains(path)) {
                throw new IllegalArgumentException("line " + line(template, open) + ": {{" + action
                        + "}} names an unknown field ." + path + "; known: ." + String.join(", .", EventView.fields()));
            }
            if (!text.isEmpty()) {
                parts.add(new Text(text.toString()));
                text.setLength(0);
            }
            parts.add(new Field(path));
        }
        if (!text.isEmpty()) {
            parts.add(new Text(text.toString()));
        }
        return new BodyTemplate(parts, template);
    }

    /** The body for {@code event}. */
    public String render(EventView event) {
        StringBuilder body = new StringBuilder();
        for (Part part : parts) {
            if (part instanceof Text text) {
                body.append(text.text());
            } else {
                escape(event.value(((Field) part).path()), body);
            }
        }
        return body.toString();
    }

    /** The template's text, as read. */
    public String source() {
        return source;
    }

    /** {@code value} as the inside of a JSON string. */
    static void escape(String value, StringBuilder out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }

    private static int line(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
