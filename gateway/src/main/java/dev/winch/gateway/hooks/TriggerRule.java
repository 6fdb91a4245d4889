package dev.winch.gateway.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.winch.gateway.auth.Cidr;
import dev.winch.gateway.auth.Digests;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code trigger-rule} of an adnanh/webhook hooks file ({@code docs/Hook-Rules.md}), parsed once into a tree
 * whose regexes (RE2/J: Go's RE2 semantics) and address blocks are compiled when the file is loaded; evaluating
 * it compiles nothing. No I/O.
 *
 * <p>Evaluation follows webhook 2.8, checked case by case against the tool ({@code WebhookCompatTest}): every
 * rule yields a result and maybe an error. A missing parameter is a soft error (false, and under {@code not}
 * true); a present signature that does not verify is a hard error that fails the whole hook, wherever it sits,
 * unless the hook sets {@code trigger-signature-soft-failures}, which turns it into false inside an {@code or}.
 *
 * <p>{@link #compile} refuses, with a reason, what the tool would load and then never evaluate sensibly: an empty
 * {@code and} (true for every request), a rule object with two or none of and/or/not/match, a regex RE2 does not
 * compile or an {@code ip-range} that does not parse (the tool fails on every request), an empty value or secret,
 * and the sources Winch does not offer ({@code entire-*}, {@code scalr-signature}). Unknown fields are read past,
 * as the tool does.
 */
public final class TriggerRule {

    /** What webhook would answer: run the hook, "rules were not satisfied", or "error evaluating". */
    public enum Verdict { MATCHED, NOT_MATCHED, ERROR }

    /** Hook fields that decide how the rule is evaluated, kept beside the rule in {@link #settings}. */
    public static final String RULE = "trigger-rule";
    public static final String SOFT_SIGNATURE_FAILURES = "trigger-signature-soft-failures";

    private static final Map<String, String[]> HMACS = Map.of(
            "payload-hmac-sha1", new String[] {"HmacSHA1", "sha1="},
            "payload-hmac-sha256", new String[] {"HmacSHA256", "sha256="},
            "payload-hmac-sha512", new String[] {"HmacSHA512", "sha512="},
            "payload-hash-sha1", new String[] {"HmacSHA1", "sha1="},
            "payload-hash-sha256", new String[] {"HmacSHA256", "sha256="},
            "payload-hash-sha512", new String[] {"HmacSHA512", "sha512="});
    private static final List<String> OPERATORS = List.of("and", "or", "not", "match");
    private static final List<String> SOURCES = List.of("url", "query", "header", "payload", "request", "string",
            "raw-request-body");
    private static final Set<String> UNSUPPORTED_SOURCES = Set.of("entire-payload", "entire-query",
            "entire-headers", "context");
    private static final int MAX_DEPTH = 32;

    private final Node root;
    private final boolean usesPayload;

    private TriggerRule(Node root, boolean usesPayload) {
        this.root = root;
        this.usesPayload = usesPayload;
    }

    /**
     * The settings a receiver keeps for a hook: {@code {"trigger-rule": .., "trigger-signature-soft-failures": ..}}
     * as the hook wrote them.
     */
    public static ObjectNode settings(JsonNode hook) {
        ObjectNode settings = JsonNodeFactory.instance.objectNode();
        settings.set(RULE, hook.get(RULE).deepCopy());
        if (hook.has(SOFT_SIGNATURE_FAILURES)) {
            settings.set(SOFT_SIGNATURE_FAILURES, hook.get(SOFT_SIGNATURE_FAILURES).deepCopy());
        }
        return settings;
    }

    /**
     * Parses and checks the settings of {@link #settings}.
     *
     * @param path the path of the hook in its file ({@code [0]}), prefixed to every problem
     * @throws InvalidPayloadException naming every problem, e.g. {@code [0].trigger-rule.and[1].match.type}
     */
    public static TriggerRule compile(JsonNode settings, String path) throws InvalidPayloadException {
        List<FieldError> errors = new ArrayList<>();
        JsonNode soft = settings.get(SOFT_SIGNATURE_FAILURES);
        if (soft != null && !soft.isNull() && !soft.isBoolean()) {
            errors.add(new FieldError(path + "." + SOFT_SIGNATURE_FAILURES, "must be true or false"));
        }
        Compiler compiler = new Compiler(soft != null && soft.asBoolean(false), errors);
        Node root = compiler.rule(settings.get(RULE), path + "." + RULE, 0);
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException("invalid trigger rule", errors);
        }
        return new TriggerRule(root, compiler.usesPayload);
    }

    /** The tool's verdict for this request. */
    public Verdict evaluate(HookRequest request) {
        Result result = root.evaluate(new Input(request, usesPayload));
        if (result.error() != Error.NONE && result.error() != Error.MISSING_PARAMETER) {
            return Verdict.ERROR;
        }
        return result.value() ? Verdict.MATCHED : Verdict.NOT_MATCHED;
    }

    // ---- evaluation: the tool's (bool, error) pairs ----

    private enum Error { NONE, MISSING_PARAMETER, SIGNATURE, OTHER }

    private record Result(boolean value, Error error) {
        static final Result TRUE = new Result(true, Error.NONE);
        static final Result FALSE = new Result(false, Error.NONE);
        static final Result MISSING = new Result(false, Error.MISSING_PARAMETER);
        static final Result BAD_SIGNATURE = new Result(false, Error.SIGNATURE);

        static Result of(boolean value) {
            return value ? TRUE : FALSE;
        }
    }

    /** What one request offers a rule; the query and payload are decoded at most once, when a rule reads them. */
    private static final class Input {
        private final HookRequest request;
        private final boolean readPayload;
        private Map<String, String> query;
        private Map<String, Object> payload;
        private boolean payloadRead;

        Input(HookRequest request, boolean readPayload) {
            this.request = request;
            this.readPayload = readPayload;
        }

        Map<String, String> query() {
            if (query == null) {
                query = request.rawQuery() == null ? request.query() : GoValues.query(request.rawQuery());
            }
            return query;
        }

        Map<String, Object> payload() {
            if (!payloadRead && readPayload) {
                payload = GoValues.payload(request.headers().get("content-type"), request.body());
                payloadRead = true;
            }
            return payload;
        }

        /** Go's {@code r.RemoteAddr}: host and port. */
        String remoteAddr() {
            String address = request.remoteAddress() == null ? "" : request.remoteAddress();
            if (request.remotePort() <= 0) {
                return address;
            }
            return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + request.remotePort();
        }
    }

    private interface Node {
        Result evaluate(Input input);
    }

    private record And(List<Node> rules) implements Node {
        @Override
        public Result evaluate(Input input) {
            for (Node rule : rules) {
                Result result = rule.evaluate(input);
                if (result.error() != Error.NONE) {
                    return new Result(false, result.error());
                }
                if (!result.value()) {
                    return Result.FALSE;
                }
            }
            return Result.TRUE;
        }
    }

    private record Or(List<Node> rules, boolean softSignatureFailures) implements Node {
        @Override
        public Result evaluate(Input input) {
            for (Node rule : rules) {
                Result result = rule.evaluate(input);
                boolean tolerated = result.error() == Error.NONE || result.error() == Error.MISSING_PARAMETER
                        || softSignatureFailures && result.error() == Error.SIGNATURE;
                if (!tolerated) {
                    return new Result(false, result.error());
                }
                if (result.value()) {
                    return Result.TRUE;
                }
            }
            return Result.FALSE;
        }
    }

    private record Not(Node rule) implements Node {
        @Override
        public Result evaluate(Input input) {
            Result result = rule.evaluate(input);
            return result.error() == Error.NONE ? Result.of(!result.value()) : new Result(!result.value(),
                    result.error());
        }
    }

    /** Where a match reads its value; null when the tool would report "parameter node not found". */
    private interface Parameter {
        String value(Input input);
    }

    private record Value(Parameter parameter, String expected) implements Node {
        @Override
        public Result evaluate(Input input) {
            String value = parameter.value(input);
            return value == null ? Result.MISSING : Result.of(Digests.equalTexts(value, expected));
        }
    }

    private record Regex(Parameter parameter, Pattern pattern) implements Node {
        @Override
        public Result evaluate(Input input) {
            String value = parameter.value(input);
            // RE2 runs in time linear in the value: no budget needed, unlike a backtracking engine
            return value == null ? Result.MISSING : Result.of(pattern.matcher(value).find());
        }
    }

    private record Signature(Parameter parameter, String algorithm, String prefix, SecretKeySpec key)
            implements Node {
        @Override
        public Result evaluate(Input input) {
            String presented = parameter.value(input);
            if (presented == null) {
                return Result.MISSING;
            }
            byte[] expected = hex(Digests.hmac(algorithm, key, input.request.body()));
            // the tool's ExtractSignatures: a list keeps only the parts that carry the prefix, exactly;
            // one signature loses the prefix if it has it; hex is compared as written, in lower case
            boolean any = false;
            if (presented.indexOf(',') >= 0) {
                for (String part : presented.split(",", -1)) {
                    if (part.startsWith(prefix)) {
                        any |= Digests.equal(expected, ascii(part.substring(prefix.length())));
                    }
                }
            } else {
                String single = presented.startsWith(prefix) ? presented.substring(prefix.length()) : presented;
                any = Digests.equal(expected, ascii(single));
            }
            return any ? Result.TRUE : Result.BAD_SIGNATURE;
        }
    }

    private record IpWhitelist(List<Cidr> ranges) implements Node {
        @Override
        public Result evaluate(Input input) {
            String address = input.request.remoteAddress();
            if (address == null || address.isBlank()) {
                return new Result(false, Error.OTHER);
            }
            for (Cidr range : ranges) {
                if (range.contains(address)) {
                    return Result.TRUE;
                }
            }
            return Result.FALSE;
        }
    }

    // ---- compilation ----

    private static final class Compiler {
        private final boolean softSignatureFailures;
        private final List<FieldError> errors;
        private boolean usesPayload;

        Compiler(boolean softSignatureFailures, List<FieldError> errors) {
            this.softSignatureFailures = softSignatureFailures;
            this.errors = errors;
        }

        private Node invalid(String path, String message) {
            errors.add(new FieldError(path, message));
            return null;
        }

        Node rule(JsonNode rule, String path, int depth) {
            if (rule == null || rule.isNull()) {
                return invalid(path, "is required: Winch will not serve a hook that accepts every request");
            }
            if (!rule.isObject()) {
                return invalid(path, "must be an object with one of and, or, not, match");
            }
            if (depth > MAX_DEPTH) {
                return invalid(path, "is nested deeper than " + MAX_DEPTH + " levels");
            }
            List<String> present = OPERATORS.stream().filter(op -> rule.has(op) && !rule.get(op).isNull()).toList();
            if (present.size() != 1) {
                return invalid(path, present.isEmpty()
                        ? "needs one of and, or, not, match: an empty rule never matches"
                        : "has " + String.join(" and ", present) + ": give exactly one per rule object");
            }
            String op = present.get(0);
            JsonNode body = rule.get(op);
            String at = path + "." + op;
            return switch (op) {
                case "and", "or" -> list(op, body, at, depth);
                case "not" -> {
                    Node inner = rule(body, at, depth + 1);
                    yield inner == null ? null : new Not(inner);
                }
                default -> match(body, at);
            };
        }

        private Node list(String op, JsonNode body, String path, int depth) {
            if (!body.isArray()) {
                return invalid(path, "must be a list of rules");
            }
            if (op.equals("and") && body.isEmpty()) {
                return invalid(path, "is empty: an empty and accepts every request");
            }
            List<Node> rules = new ArrayList<>();
            for (int i = 0; i < body.size(); i++) {
                rules.add(rule(body.get(i), path + "[" + i + "]", depth + 1));
            }
            if (rules.contains(null)) {
                return null;
            }
            return op.equals("and") ? new And(List.copyOf(rules)) : new Or(List.copyOf(rules), softSignatureFailures);
        }

        private Node match(JsonNode match, String path) {
            if (!match.isObject()) {
                return invalid(path, "must be an object with a type");
            }
            String type = text(match, "type", path, true);
            if (type == null) {
                return null;
            }
            if (type.equals("ip-whitelist")) {
                return ipWhitelist(match, path);
            }
            if (type.equals("scalr-signature")) {
                return invalid(path + ".type", "scalr-signature is not supported by Winch");
            }
            String[] hmac = HMACS.get(type);
            if (!type.equals("value") && !type.equals("regex") && hmac == null) {
                return invalid(path + ".type", "must be value, regex, payload-hmac-sha1, payload-hmac-sha256, "
                        + "payload-hmac-sha512 or ip-whitelist");
            }
            Parameter parameter = parameter(match.get("parameter"), path + ".parameter");
            switch (type) {
                case "value" -> {
                    String expected = text(match, "value", path, true);
                    return parameter == null || expected == null ? null : new Value(parameter, expected);
                }
                case "regex" -> {
                    String regex = text(match, "regex", path, false);
                    if (regex == null) {
                        return null;
                    }
                    try {
                        Pattern pattern = Pattern.compile(regex);
                        return parameter == null ? null : new Regex(parameter, pattern);
                    } catch (PatternSyntaxException e) {
                        return invalid(path + ".regex", "is not an RE2 regular expression: " + e.getMessage());
                    }
                }
                default -> {
                    String secret = text(match, "secret", path, true);
                    if (secret == null || parameter == null) {
                        return null;
                    }
                    return new Signature(parameter, hmac[0], hmac[1], Digests.hmacKey(hmac[0], secret));
                }
            }
        }

        private Node ipWhitelist(JsonNode match, String path) {
            String ranges = text(match, "ip-range", path, true);
            if (ranges == null) {
                return null;
            }
            List<Cidr> cidrs = new ArrayList<>();
            for (String range : ranges.trim().split("\\s+")) {
                try {
                    cidrs.add(Cidr.parse(range));
                } catch (IllegalArgumentException e) {
                    return invalid(path + ".ip-range", e.getMessage());
                }
            }
            return new IpWhitelist(List.copyOf(cidrs));
        }

        private Parameter parameter(JsonNode parameter, String path) {
            if (parameter == null || parameter.isNull()) {
                invalid(path, "is required");
                return null;
            }
            if (!parameter.isObject()) {
                invalid(path, "must be an object with source and name");
                return null;
            }
            String source = text(parameter, "source", path, true);
            if (source == null) {
                return null;
            }
            if (UNSUPPORTED_SOURCES.contains(source)) {
                invalid(path + ".source", source + " is not supported in a Winch trigger rule");
                return null;
            }
            if (!SOURCES.contains(source)) {
                invalid(path + ".source", "must be one of " + String.join(", ", SOURCES));
                return null;
            }
            if (source.equals("raw-request-body")) {
                return input -> new String(input.request.body(), StandardCharsets.UTF_8);
            }
            String name = text(parameter, "name", path, true);
            if (name == null) {
                return null;
            }
            return switch (source) {
                case "url", "query" -> input -> input.query().get(name);
                case "header" -> {
                    String lower = name.toLowerCase(Locale.ROOT);
                    yield input -> input.request.headers().get(lower);
                }
                case "payload" -> {
                    usesPayload = true;
                    yield input -> {
                        Map<String, Object> payload = input.payload();
                        Object value = payload == null ? null : GoValues.lookup(payload, name);
                        return value == null ? null : GoValues.text(value);
                    };
                }
                case "string" -> input -> name;
                default -> switch (name.toLowerCase(Locale.ROOT)) {
                    // Winch triggers hooks by POST only
                    case "method" -> input -> "POST";
                    case "remote-addr" -> Input::remoteAddr;
                    default -> {
                        invalid(path + ".name", "must be method or remote-addr");
                        yield null;
                    }
                };
            };
        }

        /**
         * A text field. An unquoted number or boolean is taken as the tool takes it: as its text, a number with a
         * fraction as the tool's YAML reader prints it ({@code 1.10} is compared as {@code 1.1}).
         */
        private String text(JsonNode parent, String field, String path, boolean nonEmpty) {
            JsonNode node = parent.get(field);
            String at = path + "." + field;
            if (node == null || node.isNull()) {
                invalid(at, "is required");
                return null;
            }
            if (node.isIntegralNumber() || node.isBoolean()) {
                return node.asText();
            }
            if (node.isNumber()) {
                return GoValues.float32Text(node.asDouble());
            }
            if (!node.isTextual()) {
                invalid(at, "must be a string");
                return null;
            }
            if (nonEmpty && node.asText().isEmpty()) {
                invalid(at, "must not be empty");
                return null;
            }
            return node.asText();
        }
    }

    // ---- helpers ----

    private static byte[] hex(byte[] digest) {
        return ascii(HexFormat.of().formatHex(digest));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
