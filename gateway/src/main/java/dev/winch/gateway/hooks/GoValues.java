package dev.winch.gateway.hooks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Request values as webhook 2.8 (Go) sees them: the payload decoded by {@code encoding/json} with
 * {@code UseNumber}, parameters looked up by dotted path, and values turned into the text a rule compares.
 * Plain Java; no I/O.
 *
 * <p>The payload tree holds {@code Map<String, Object>}, {@code List<Object>}, {@code String}, {@link JsonNumber}
 * (the literal as written, as Go's {@code json.Number} keeps it: {@code 1e3} stays {@code 1e3}),
 * {@code Boolean} and {@link #NULL}.
 */
final class GoValues {

    /** JSON null in a payload: present, and printed {@code <nil>} as Go's {@code fmt} prints it. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "<nil>";
        }
    };

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** A JSON number kept as written. */
    record JsonNumber(String literal) {
    }

    private GoValues() {
    }

    /**
     * webhook's payload: only when the Content-Type contains {@code json} (as written: {@code APPLICATION/JSON}
     * does not), the first JSON value of the body (anything after it is not read), a top-level list under
     * {@code root}. Null when the tool has no payload: another type, a body that does not decode, a scalar.
     */
    static Map<String, Object> payload(String contentType, byte[] body) {
        if (contentType == null || !contentType.contains("json")) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_ARRAY) {
                Map<String, Object> root = new HashMap<>();
                root.put("root", value(parser, first));
                return root;
            }
            if (first != JsonToken.START_OBJECT) {
                return null;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) value(parser, first);
            return object;
        } catch (IOException e) {
            return null;
        }
    }

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    // as Go does: a repeated key keeps the last value
                    object.put(name, value(parser, parser.nextToken()));
                }
                return object;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.add(value(parser, t));
                }
                return list;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return new JsonNumber(parser.getText());
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return NULL;
            }
            default -> throw new IOException("unexpected " + token);
        }
    }

    /**
     * webhook's {@code extractParameter}: a key is tried whole first, then split at its first dot; in a list the
     * segment is an index. Null when the path leads nowhere.
     */
    static Object lookup(Object node, String path) {
        if (node instanceof List<?> list) {
            if (list.isEmpty()) {
                return null;
            }
            int dot = path.indexOf('.');
            int index = index(dot < 0 ? path : path.substring(0, dot));
            if (index < 0 || index >= list.size()) {
                return null;
            }
            return dot < 0 ? list.get(index) : lookup(list.get(index), path.substring(dot + 1));
        }
        if (node instanceof Map<?, ?> map) {
            Object whole = map.get(path);
            if (whole != null) {
                return whole;
            }
            int dot = path.indexOf('.');
            if (dot < 0) {
                return null;
            }
            Object head = map.get(path.substring(0, dot));
            return head == null ? null : lookup(head, path.substring(dot + 1));
        }
        return null;
    }

    /** Go's {@code strconv.ParseUint(s, 10, 64)} for what fits an int; -1 otherwise. */
    private static int index(String segment) {
        if (segment.isEmpty() || segment.length() > 9) {
            return -1;
        }
        for (int i = 0; i < segment.length(); i++) {
            if (segment.charAt(i) < '0' || segment.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(segment);
    }

    /** webhook's {@code ExtractParameterAsString}: lists and objects as Go's {@code json.Marshal}, the rest as {@code %v}. */
    static String text(Object value) {
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            StringBuilder out = new StringBuilder();
            marshal(value, out);
            return out.toString();
        }
        if (value instanceof JsonNumber number) {
            return number.literal();
        }
        return String.valueOf(value);
    }

    private static void marshal(Object value, StringBuilder out) {
        if (value instanceof Map<?, ?> map) {
            // Go sorts the keys of a map it marshals
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : new TreeMap<>(map).entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                quote((String) e.getKey(), out);
                out.append(':');
                marshal(e.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                marshal(list.get(i), out);
            }
            out.append(']');
        } else if (value instanceof String text) {
            quote(text, out);
        } else if (value == NULL) {
            out.append("null");
        } else {
            out.append(text(value));
        }
    }

    /** Go's string encoding: HTML-safe ({@code <}, {@code >}, {@code &} escaped) and U+2028/U+2029 escaped. */
    private static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static final java.util.regex.Pattern YAML_INT = java.util.regex.Pattern.compile("[-+]?[0-9]+");
    // go-yaml's float: an exponent needs its sign, else the scalar stays text ("1.5e3")
    private static final java.util.regex.Pattern YAML_FLOAT = java.util.regex.Pattern.compile(
            "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+][0-9]+)?");
    private static final java.math.BigInteger UINT64_LIMIT = java.math.BigInteger.ONE.shiftLeft(64);

    /**
     * A JSON number literal of a hooks file as the tool's YAML reader resolves it: an integer (up to uint64), a
     * float, or, when YAML 1.1 does not take it for a number ({@code 1.5e3}), the text as written.
     */
    static Object yamlNumber(String literal) {
        if (YAML_INT.matcher(literal).matches()) {
            java.math.BigInteger value = new java.math.BigInteger(literal);
            if (value.bitLength() < 64 || value.signum() > 0 && value.compareTo(UINT64_LIMIT) < 0) {
                return value;
            }
        }
        if (YAML_FLOAT.matcher(literal).matches()) {
            return Double.parseDouble(literal);
        }
        return literal;
    }

    /**
     * A number with a fraction where a hooks file expects text, as the tool's YAML reader turns it into text
     * ({@code strconv.FormatFloat(f, 'g', -1, 32)}): {@code 1.10} is compared as {@code 1.1}, {@code 1e7} as
     * {@code 1e+07}.
     */
    static String float32Text(double value) {
        float f = (float) value;
        if (f == 0) {
            return 1 / f < 0 ? "-0" : "0";
        }
        BigDecimal digits = new BigDecimal(Float.toString(Math.abs(f))).stripTrailingZeros();
        String mantissa = digits.unscaledValue().toString();
        int exponent = mantissa.length() - digits.scale() - 1;
        String sign = f < 0 ? "-" : "";
        // 'g' with the shortest precision switches to an exponent outside 1e-4 <= |f| < 1e6
        if (exponent < -4 || exponent >= 6) {
            String e = String.valueOf(Math.abs(exponent));
            return sign + mantissa.charAt(0) + (mantissa.length() > 1 ? "." + mantissa.substring(1) : "") + "e"
                    + (exponent < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
        }
        return sign + digits.toPlainString();
    }

    /**
     * Go's {@code url.ParseQuery} as {@code r.URL.Query()} uses it: pairs split at {@code &}; a pair holding a
     * {@code ;} or a bad escape is dropped (Go 1.17+); the first value of a name wins.
     */
    static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&", -1)) {
            if (pair.isEmpty() || pair.indexOf(';') >= 0) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = unescape(eq < 0 ? pair : pair.substring(0, eq));
            String value = unescape(eq < 0 ? "" : pair.substring(eq + 1));
            if (name != null && value != null) {
                query.putIfAbsent(name, value);
            }
        }
        return query;
    }

    /** Go's {@code QueryUnescape}: {@code +} is a space, {@code %XX} a byte; null when an escape is malformed. */
    private static String unescape(String text) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        byte[] bytes = new byte[text.length()];
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                bytes[n++] = ' ';
            } else if (c == '%') {
                if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                        || Character.digit(text.charAt(i + 2), 16) < 0) {
                    return null;
                }
                bytes[n++] = (byte) (Character.digit(text.charAt(i + 1), 16) << 4
                        | Character.digit(text.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                    encoded = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                if (n + encoded.length > bytes.length) {
                    bytes = java.util.Arrays.copyOf(bytes, n + encoded.length + text.length());
                }
                System.arraycopy(encoded, 0, bytes, n, encoded.length);
                n += encoded.length;
            }
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }
}
