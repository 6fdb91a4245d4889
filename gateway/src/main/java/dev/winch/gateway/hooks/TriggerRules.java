package dev.winch.gateway.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.receiver.Cidr;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code trigger-rule} of an adnanh/webhook hooks file ({@code docs/Hook-Rules.md}), evaluated against a
 * {@link HookRequest}. No I/O; the rule stays the JSON the file gave, so it is stored and shown as written.
 *
 * <p>Rules: {@code and} (list), {@code or} (list), {@code not} (one rule), {@code match} with {@code type}
 * {@code value}, {@code regex}, {@code payload-hmac-sha1|sha256|sha512} (and the deprecated
 * {@code payload-hash-*} names, which webhook treats as the same HMAC check), {@code ip-whitelist}. A match reads
 * its {@code parameter} from {@code url} (alias {@code query}), {@code header}, {@code payload} (dot path, numeric
 * segments index lists, a top-level list is under {@code root}), {@code request} ({@code method},
 * {@code remote-addr}), {@code string} or {@code raw-request-body}.
 *
 * <p>Where Winch differs from webhook, on purpose:
 * <ul>
 *   <li>A missing parameter or a wrong signature makes that match false and nothing else. webhook turns them into
 *       errors that abort an enclosing {@code and}, and a signature error answers 500; here {@code not} simply
 *       inverts, wherever it sits. A rule that cannot be evaluated at all (malformed, or a regex that exceeds its
 *       step budget) makes the whole rule false, so a {@code not} cannot turn it into a pass.</li>
 *   <li>{@link #validate} refuses what webhook would silently accept and then mis-evaluate: an empty {@code and}
 *       (true for every request), a rule object with two or none of and/or/not/match, unknown match fields,
 *       numbers where strings are expected, an empty {@code value} or {@code secret}, a regex or ip-range that
 *       does not parse. Problems are found when the file is loaded rather than on the first request.</li>
 *   <li>Regexes run on {@link java.util.regex}, not RE2: {@code (?P<name>} and {@code [[:alpha:]]} classes are
 *       translated; since Java backtracks, each evaluation gets a step budget instead of RE2's linear time.</li>
 *   <li>Signatures: each comma-separated part is trimmed and may be bare hex even in a list; hex is compared
 *       case-insensitively. A bare address in {@code ip-range} is one host for IPv6 too (webhook appends
 *       {@code /32}).</li>
 *   <li>{@code request.method} is always {@code POST} (the only method a hook accepts here);
 *       {@code request.remote-addr} is the address without a port. {@code entire-*} and {@code context} sources,
 *       and {@code scalr-signature}, are refused.</li>
 * </ul>
 */
public final class TriggerRules {

    private static final List<String> RULES = List.of("and", "or", "not", "match");
    private static final Map<String, String[]> HMACS = Map.of(
            "payload-hmac-sha1", new String[] {"HmacSHA1", "sha1="},
            "payload-hmac-sha256", new String[] {"HmacSHA256", "sha256="},
            "payload-hmac-sha512", new String[] {"HmacSHA512", "sha512="},
            "payload-hash-sha1", new String[] {"HmacSHA1", "sha1="},
            "payload-hash-sha256", new String[] {"HmacSHA256", "sha256="},
            "payload-hash-sha512", new String[] {"HmacSHA512", "sha512="});
    private static final List<String> TYPES = List.of("value", "regex", "payload-hmac-sha1", "payload-hmac-sha256",
            "payload-hmac-sha512", "payload-hash-sha1", "payload-hash-sha256", "payload-hash-sha512", "ip-whitelist");
    private static final Set<String> MATCH_FIELDS = Set.of("type", "value", "regex", "secret", "parameter",
            "ip-range");
    // webhook's Argument fields: envname and base64decode mean nothing in a rule but are harmless.
    private static final Set<String> PARAMETER_FIELDS = Set.of("source", "name", "envname", "base64decode",
            "headers-to-add-to-signature-payload");
    private static final List<String> SOURCES = List.of("url", "query", "header", "payload", "request", "string",
            "raw-request-body");
    private static final Set<String> UNSUPPORTED_SOURCES = Set.of("entire-payload", "entire-query",
            "entire-headers", "context");
    private static final int MAX_DEPTH = 32;
    /** charAt calls one regex evaluation may make; linear patterns on webhook-sized values stay far below. */
    private static final int REGEX_BUDGET = 1_000_000;
    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
            Map.entry("alnum", "\\p{Alnum}"), Map.entry("alpha", "\\p{Alpha}"), Map.entry("ascii", "\\p{ASCII}"),
            Map.entry("blank", "\\p{Blank}"), Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("digit", "\\p{Digit}"),
            Map.entry("graph", "\\p{Graph}"), Map.entry("lower", "\\p{Lower}"), Map.entry("print", "\\p{Print}"),
            Map.entry("punct", "\\p{Punct}"), Map.entry("space", "\\p{Space}"), Map.entry("upper", "\\p{Upper}"),
            Map.entry("word", "\\w"), Map.entry("xdigit", "\\p{XDigit}"));

    private TriggerRules() {
    }

    /**
     * Checks a rule before it is stored.
     *
     * @param path the field path of {@code rule} in its document ({@code trigger-rule}, {@code [0].trigger-rule}),
     *             prefixed to every problem
     * @throws InvalidPayloadException naming every problem, e.g. {@code trigger-rule.and[1].match.type}
     */
    public static void validate(JsonNode rule, String path) throws InvalidPayloadException {
        List<FieldError> errors = new ArrayList<>();
        checkRule(rule, path, 0, errors);
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException("invalid trigger rule", errors);
        }
    }

    /**
     * Whether the request satisfies the rule. Meant for rules that passed {@link #validate}; anything it cannot
     * evaluate counts as no match.
     *
     * @param payload the body parsed as JSON, or null when it is not JSON
     */
    public static boolean matches(JsonNode rule, HookRequest request, JsonNode payload) {
        try {
            return evaluate(rule, new Input(request, payload), 0);
        } catch (Undecidable e) {
            return false;
        }
    }

    // ---- validation ----

    private static void checkRule(JsonNode rule, String path, int depth, List<FieldError> errors) {
        if (rule == null || rule.isNull() || rule.isMissingNode()) {
            errors.add(new FieldError(path, "is required"));
            return;
        }
        if (!rule.isObject()) {
            errors.add(new FieldError(path, "must be an object with one of and, or, not, match"));
            return;
        }
        if (depth > MAX_DEPTH) {
            errors.add(new FieldError(path, "is nested more than " + MAX_DEPTH + " levels deep"));
            return;
        }
        List<String> present = new ArrayList<>();
        rule.fieldNames().forEachRemaining(name -> {
            if (RULES.contains(name)) {
                present.add(name);
            } else {
                errors.add(new FieldError(path + "." + name, "is not a rule: expected and, or, not or match"));
            }
        });
        if (present.isEmpty()) {
            errors.add(new FieldError(path, "must have one of and, or, not, match"));
            return;
        }
        if (present.size() > 1) {
            // webhook would silently use the first in and/or/not/match order and ignore the rest
            errors.add(new FieldError(path, "must have exactly one of and, or, not, match, not "
                    + String.join(" and ", present)));
            return;
        }
        String kind = present.get(0);
        JsonNode child = rule.get(kind);
        String childPath = path + "." + kind;
        switch (kind) {
            case "and", "or" -> {
                if (!child.isArray()) {
                    errors.add(new FieldError(childPath, "must be a list of rules"));
                } else if (child.isEmpty()) {
                    errors.add(new FieldError(childPath, "must list at least one rule"
                            + ("and".equals(kind) ? " (an empty and accepts every request)" : "")));
                } else {
                    for (int i = 0; i < child.size(); i++) {
                        checkRule(child.get(i), childPath + "[" + i + "]", depth + 1, errors);
                    }
                }
            }
            case "not" -> {
                if (child.isArray()) {
                    errors.add(new FieldError(childPath, "must be one rule (an object), not a list"));
                } else {
                    checkRule(child, childPath, depth + 1, errors);
                }
            }
            default -> checkMatch(child, childPath, errors);
        }
    }

    private static void checkMatch(JsonNode match, String path, List<FieldError> errors) {
        if (!match.isObject()) {
            errors.add(new FieldError(path, "must be an object with type and parameter"));
            return;
        }
        match.fieldNames().forEachRemaining(name -> {
            if (!MATCH_FIELDS.contains(name)) {
                errors.add(new FieldError(path + "." + name, "is not a match field"));
            }
        });
        String type = requiredText(match, "type", path, errors);
        if (type == null) {
            return;
        }
        if (type.equals("scalr-signature")) {
            errors.add(new FieldError(path + ".type", "scalr-signature is not supported by Winch"));
            return;
        }
        if (!TYPES.contains(type)) {
            errors.add(new FieldError(path + ".type", "must be one of " + String.join(", ", TYPES)));
            return;
        }
        if (type.equals("ip-whitelist")) {
            String ranges = requiredText(match, "ip-range", path, errors);
            if (ranges != null) {
                for (String range : ranges.trim().split("\\s+")) {
                    try {
                        Cidr.parse(range);
                    } catch (IllegalArgumentException e) {
                        errors.add(new FieldError(path + ".ip-range", e.getMessage()));
                    }
                }
            }
            return;
        }
        switch (type) {
            case "value" -> requiredText(match, "value", path, errors);
            case "regex" -> {
                String regex = requiredText(match, "regex", path, errors);
                if (regex != null) {
                    try {
                        compile(regex);
                    } catch (PatternSyntaxException e) {
                        errors.add(new FieldError(path + ".regex", "is not a valid regex: " + e.getDescription()
                                + " near index " + e.getIndex()));
                    }
                }
            }
            default -> requiredText(match, "secret", path, errors);
        }
        checkParameter(match.get("parameter"), path + ".parameter", errors);
    }

    private static void checkParameter(JsonNode parameter, String path, List<FieldError> errors) {
        if (parameter == null || parameter.isNull()) {
            errors.add(new FieldError(path, "is required"));
            return;
        }
        if (!parameter.isObject()) {
            errors.add(new FieldError(path, "must be an object with source and name"));
            return;
        }
        parameter.fieldNames().forEachRemaining(name -> {
            if (!PARAMETER_FIELDS.contains(name)) {
                errors.add(new FieldError(path + "." + name, "is not a parameter field"));
            }
        });
        String source = requiredText(parameter, "source", path, errors);
        if (source != null) {
            if (UNSUPPORTED_SOURCES.contains(source)) {
                errors.add(new FieldError(path + ".source", source + " is not supported in a Winch trigger rule"));
            } else if (!SOURCES.contains(source)) {
                errors.add(new FieldError(path + ".source", "must be one of " + String.join(", ", SOURCES)));
            } else if (!source.equals("raw-request-body")) {
                String name = requiredText(parameter, "name", path, errors);
                if (name != null && source.equals("request")
                        && !Set.of("method", "remote-addr").contains(name.toLowerCase(Locale.ROOT))) {
                    errors.add(new FieldError(path + ".name", "must be method or remote-addr"));
                }
            }
        }
        JsonNode headers = parameter.get("headers-to-add-to-signature-payload");
        if (headers != null && !headers.isNull()) {
            if (!headers.isArray()) {
                errors.add(new FieldError(path + ".headers-to-add-to-signature-payload", "must be a list of strings"));
            } else {
                for (int i = 0; i < headers.size(); i++) {
                    if (!headers.get(i).isTextual() || headers.get(i).asText().isBlank()) {
                        errors.add(new FieldError(path + ".headers-to-add-to-signature-payload[" + i + "]",
                                "must be a header name"));
                    }
                }
            }
        }
    }

    private static String requiredText(JsonNode parent, String field, String path, List<FieldError> errors) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            errors.add(new FieldError(path + "." + field, "is required"));
            return null;
        }
        if (!node.isTextual()) {
            // as in webhook: numbers and booleans must be quoted, else YAML 1.10 silently becomes 1.1
            errors.add(new FieldError(path + "." + field, "must be a string (quote numbers and booleans)"));
            return null;
        }
        if (node.asText().isEmpty()) {
            errors.add(new FieldError(path + "." + field, "must not be empty"));
            return null;
        }
        return node.asText();
    }

    // ---- evaluation ----

    private record Input(HookRequest request, JsonNode payload) {
        Input {
            // webhook puts a top-level JSON list under "root"
            if (payload != null && payload.isArray()) {
                payload = JsonNodeFactory.instance.objectNode().set("root", payload);
            }
        }
    }

    /** The rule cannot be evaluated; the whole rule then does not match. */
    private static final class Undecidable extends RuntimeException {
        Undecidable() {
            super(null, null, false, false);
        }
    }

    private static boolean evaluate(JsonNode rule, Input input, int depth) {
        if (rule == null || !rule.isObject() || depth > MAX_DEPTH) {
            throw new Undecidable();
        }
        // webhook's precedence when several are set: and, or, not, match
        JsonNode and = rule.get("and");
        if (and != null) {
            if (!and.isArray() || and.isEmpty()) {
                throw new Undecidable();
            }
            for (JsonNode child : and) {
                if (!evaluate(child, input, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        JsonNode or = rule.get("or");
        if (or != null) {
            if (!or.isArray()) {
                throw new Undecidable();
            }
            for (JsonNode child : or) {
                if (evaluate(child, input, depth + 1)) {
                    return true;
                }
            }
            return false;
        }
        JsonNode not = rule.get("not");
        if (not != null) {
            return !evaluate(not, input, depth + 1);
        }
        JsonNode match = rule.get("match");
        if (match != null && match.isObject()) {
            return evaluateMatch(match, input);
        }
        throw new Undecidable();
    }

    private static boolean evaluateMatch(JsonNode match, Input input) {
        String type = match.path("type").asText("");
        if (type.equals("ip-whitelist")) {
            return ipWhitelisted(match.path("ip-range").asText(""), input.request().remoteAddress());
        }
        Optional<String> value = parameter(match.get("parameter"), input);
        switch (type) {
            case "value" -> {
                String expected = match.path("value").asText("");
                return value.isPresent() && !expected.isEmpty() && constantTimeEquals(value.get(), expected);
            }
            case "regex" -> {
                Pattern pattern;
                try {
                    pattern = compile(match.path("regex").asText(""));
                } catch (PatternSyntaxException e) {
                    throw new Undecidable();
                }
                return value.isPresent() && find(pattern, value.get());
            }
            default -> {
                String[] hmac = HMACS.get(type);
                String secret = match.path("secret").asText("");
                if (hmac == null || secret.isEmpty()) {
                    throw new Undecidable();
                }
                return value.isPresent() && signatureMatches(hmac[0], hmac[1], secret,
                        signedBytes(match.get("parameter"), input.request()), value.get());
            }
        }
    }

    private static Optional<String> parameter(JsonNode parameter, Input input) {
        if (parameter == null || !parameter.isObject()) {
            throw new Undecidable();
        }
        String source = parameter.path("source").asText("");
        String name = parameter.path("name").asText("");
        HookRequest request = input.request();
        return switch (source) {
            case "url", "query" -> Optional.ofNullable(request.query().get(name));
            case "header" -> Optional.ofNullable(request.headers().get(name.toLowerCase(Locale.ROOT)));
            case "payload" -> Optional.ofNullable(lookup(input.payload(), name)).flatMap(TriggerRules::asString);
            case "request" -> switch (name.toLowerCase(Locale.ROOT)) {
                case "method" -> Optional.of("POST");
                case "remote-addr" -> Optional.ofNullable(request.remoteAddress());
                default -> throw new Undecidable();
            };
            case "string" -> Optional.of(name);
            case "raw-request-body" -> Optional.of(new String(request.body(), StandardCharsets.UTF_8));
            default -> throw new Undecidable();
        };
    }

    /** webhook's GetParameter: a key containing dots is tried whole first, then split at the first dot. */
    private static JsonNode lookup(JsonNode node, String path) {
        if (node == null || path.isEmpty()) {
            return null;
        }
        int dot = path.indexOf('.');
        String head = dot < 0 ? path : path.substring(0, dot);
        if (node.isArray()) {
            if (!head.matches("\\d{1,9}") || Integer.parseInt(head) >= node.size()) {
                return null;
            }
            JsonNode element = node.get(Integer.parseInt(head));
            return dot < 0 ? element : lookup(element, path.substring(dot + 1));
        }
        if (node.isObject()) {
            if (node.has(path)) {
                return node.get(path);
            }
            return dot < 0 || !node.has(head) ? null : lookup(node.get(head), path.substring(dot + 1));
        }
        return null;
    }

    private static Optional<String> asString(JsonNode node) {
        if (node.isNull() || node.isMissingNode()) {
            return Optional.empty();
        }
        // lists and objects are matched as their JSON, as webhook does
        return Optional.of(node.isContainerNode() ? node.toString() : node.asText());
    }

    private static byte[] signedBytes(JsonNode parameter, HookRequest request) {
        JsonNode extra = parameter.get("headers-to-add-to-signature-payload");
        if (extra == null || !extra.isArray() || extra.isEmpty()) {
            return request.body();
        }
        StringBuilder suffix = new StringBuilder();
        for (JsonNode header : extra) {
            String value = request.headers().get(header.asText().toLowerCase(Locale.ROOT));
            if (value != null) {
                suffix.append(value);
            }
        }
        byte[] tail = suffix.toString().getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[request.body().length + tail.length];
        System.arraycopy(request.body(), 0, signed, 0, request.body().length);
        System.arraycopy(tail, 0, signed, request.body().length, tail.length);
        return signed;
    }

    private static boolean signatureMatches(String algorithm, String prefix, String secret, byte[] signed,
            String presented) {
        byte[] expected;
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            expected = HexFormat.of().formatHex(mac.doFinal(signed)).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
        boolean any = false;
        for (String part : presented.split(",")) {
            String signature = part.trim();
            if (signature.regionMatches(true, 0, prefix, 0, prefix.length())) {
                signature = signature.substring(prefix.length());
            }
            // no early exit: every candidate costs the same whichever one matches
            any |= MessageDigest.isEqual(expected,
                    signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        }
        return any;
    }

    /** Compares digests so that neither where the strings differ nor the expected length shows in the time taken. */
    private static boolean constantTimeEquals(String actual, String expected) {
        return MessageDigest.isEqual(sha256(actual), sha256(expected));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static boolean ipWhitelisted(String ranges, String remoteAddress) {
        if (ranges.isBlank()) {
            throw new Undecidable();
        }
        if (remoteAddress == null || remoteAddress.isBlank()) {
            return false;
        }
        String address = withoutPort(remoteAddress.trim());
        for (String range : ranges.trim().split("\\s+")) {
            Cidr cidr;
            try {
                cidr = Cidr.parse(range);
            } catch (IllegalArgumentException e) {
                throw new Undecidable();
            }
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** {@code [::1]:8080} and {@code 10.0.0.1:8080} lose the port; a bare IPv6 address keeps all its colons. */
    private static String withoutPort(String address) {
        if (address.startsWith("[")) {
            int end = address.indexOf(']');
            return end < 0 ? address : address.substring(1, end);
        }
        int colon = address.indexOf(':');
        return colon >= 0 && colon == address.lastIndexOf(':') ? address.substring(0, colon) : address;
    }

    // ---- regex ----

    /** Compiles an RE2 (Go) pattern as Java: named groups and POSIX classes are spelled differently. */
    static Pattern compile(String goRegex) {
        String java = goRegex.replace("(?P<", "(?<");
        for (Map.Entry<String, String> c : POSIX_CLASSES.entrySet()) {
            java = java.replace("[:" + c.getKey() + ":]", c.getValue())
                    .replace("[:^" + c.getKey() + ":]", negate(c.getValue()));
        }
        return Pattern.compile(java);
    }

    private static String negate(String javaClass) {
        return javaClass.equals("\\w") ? "\\W" : javaClass.replace("\\p", "\\P");
    }

    /** Go's MatchString: a match anywhere in the value. */
    private static boolean find(Pattern pattern, String value) {
        try {
            return pattern.matcher(new Budgeted(value, new int[] {REGEX_BUDGET})).find();
        } catch (BudgetExceeded e) {
            throw new Undecidable();
        }
    }

    private static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super(null, null, false, false);
        }
    }

    /** A value that stops a backtracking regex after a fixed number of character reads. */
    private static final class Budgeted implements CharSequence {
        private final String text;
        private final int[] budget;

        Budgeted(String text, int[] budget) {
            this.text = text;
            this.budget = budget;
        }

        @Override
        public char charAt(int index) {
            if (--budget[0] < 0) {
                throw new BudgetExceeded();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Budgeted(text.substring(start, end), budget);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
