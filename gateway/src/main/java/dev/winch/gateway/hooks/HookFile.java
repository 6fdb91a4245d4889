package dev.winch.gateway.hooks;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.receiver.ReceiverSpec;
import dev.winch.gateway.receiver.ReceiverSpec.Auth;
import dev.winch.gateway.receiver.ReceiverSpec.Kind;
import dev.winch.gateway.receiver.ReceiverSpec.Redeploy;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads an adnanh/webhook hooks file (JSON or YAML: a list of hook objects, as in seed 001) into
 * {@link Kind#REDEPLOY} receivers, so an existing {@code /hooks/<id>?token=..&ns=..&workload=..&container=..}
 * URL keeps working when it is pointed at Winch.
 *
 * <p>Winch runs no commands. webhook's hook runs {@code execute-command} with values from the request; Winch
 * instead publishes a redeploy event, taking namespace, workload, container and repository type from the trigger
 * URL ({@code ns}, {@code workload}, {@code container}, {@code repo_type}: what seed 001 passes to its script with
 * {@code pass-environment-to-command}). So {@code execute-command}, {@code command-working-directory},
 * {@code pass-*}, {@code response-headers}, {@code include-command-output-*} and fields Winch does not know are
 * read past, as the tool reads past fields it does not know.
 *
 * <p>Like the tool, one odd hook does not stop the others: a hook Winch cannot serve as the tool would
 * (no trigger rule, which is the receiver's only authentication; {@code parse-parameters-as-json}; a rule
 * {@link TriggerRule#compile} refuses; an id already used, where the tool serves the first) is refused alone,
 * with its reasons logged, and the rest are served.
 */
public final class HookFile {

    private static final Logger LOG = LoggerFactory.getLogger(HookFile.class);
    private static final int MAX_NAME = 200;
    // The tool reads JSON as YAML, which takes tabs and a trailing comma; strict JSON readers and YAML
    // readers each refuse one of them.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();
    private static final ObjectMapper YAML = new YAMLMapper();

    /** A hook that is not served, with every reason. */
    public record Refused(int index, String id, List<FieldError> errors) {
    }

    /** What a hooks file serves and what it refuses. */
    public record Loaded(List<ReceiverSpec> served, List<Refused> refused) {
    }

    private HookFile() {
    }

    /**
     * A receivers file's tree: JSON when the text starts as JSON does (so a tab-indented JSON file reads), YAML
     * otherwise.
     */
    public static JsonNode readTree(byte[] bytes) throws IOException {
        if (startsAsJson(bytes)) {
            try {
                return JSON.readTree(bytes);
            } catch (JsonProcessingException e) {
                // YAML's flow style reads some JSON-looking text JSON does not (comments); try it before failing
                return YAML.readTree(bytes);
            }
        }
        return YAML.readTree(bytes);
    }

    /**
     * A hooks file as the tool reads YAML (1.1): an unquoted {@code yes} is the boolean {@code true}, which a
     * match then compares as {@code "true"}. JSON reads as {@link #readTree}.
     */
    public static JsonNode readHooks(byte[] bytes) throws IOException {
        if (startsAsJson(bytes)) {
            try (JsonParser parser = JSON.getFactory().createParser(bytes)) {
                JsonToken first = parser.nextToken();
                return first == null ? null : jsonAsYaml(parser, first);
            } catch (JsonProcessingException e) {
                return readTree(bytes);
            }
        }
        try {
            Object document = new Yaml(new SafeConstructor(new LoaderOptions()))
                    .load(new String(bytes, StandardCharsets.UTF_8));
            return JSON.valueToTree(document);
        } catch (RuntimeException e) {
            throw new IOException("not a YAML hooks file: " + e.getMessage(), e);
        }
    }

    /** JSON read as the tool reads it, as YAML: numbers are what YAML 1.1 makes of their text. */
    private static JsonNode jsonAsYaml(JsonParser parser, JsonToken token) throws IOException {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (token) {
            case START_OBJECT -> {
                ObjectNode object = nodes.objectNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    object.set(name, jsonAsYaml(parser, parser.nextToken()));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = nodes.arrayNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    array.add(jsonAsYaml(parser, t));
                }
                return array;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                Object number = GoValues.yamlNumber(parser.getText());
                if (number instanceof BigInteger integer) {
                    return integer.bitLength() < 64 ? nodes.numberNode(integer.longValue()) : nodes.numberNode(integer);
                }
                return number instanceof Double value ? nodes.numberNode(value) : nodes.textNode((String) number);
            }
            case VALUE_STRING -> {
                return nodes.textNode(parser.getText());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return nodes.booleanNode(token == JsonToken.VALUE_TRUE);
            }
            default -> {
                return nodes.nullNode();
            }
        }
    }

    private static boolean startsAsJson(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return b == '[' || b == '{';
            }
        }
        return false;
    }

    /** Whether {@code root} looks like a hooks file: a non-empty list of objects with an id and a command or rule. */
    public static boolean looksLikeHookFile(JsonNode root) {
        if (root == null || !root.isArray() || root.isEmpty()) {
            return false;
        }
        for (JsonNode hook : root) {
            if (!hook.isObject() || !hook.has("id") || !(hook.has("execute-command") || hook.has("trigger-rule"))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #parse}, logging each refused hook with its reasons and the ids served.
     *
     * @throws InvalidPayloadException when no hook can be served: every refusal, by path
     */
    public static List<ReceiverSpec> load(JsonNode hooks, String file, Instant now) throws InvalidPayloadException {
        Loaded loaded = parse(hooks, now);
        for (Refused refused : loaded.refused()) {
            LOG.atWarn().addKeyValue("file", file).addKeyValue("hook", refused.id())
                    .log("Hook [{}] '{}' is not served: {}", refused.index(), refused.id(),
                            refused.errors().stream().map(e -> e.field() + " " + e.message()).toList());
        }
        if (loaded.served().isEmpty()) {
            throw new InvalidPayloadException("no hook of the file can be served",
                    loaded.refused().stream().flatMap(r -> r.errors().stream()).toList());
        }
        LOG.atInfo().addKeyValue("file", file).log("Serving {} of {} hooks: {}", loaded.served().size(),
                loaded.served().size() + loaded.refused().size(),
                loaded.served().stream().map(ReceiverSpec::id).toList());
        return loaded.served();
    }

    /**
     * One receiver per servable hook: id = the hook id, name = its {@code response-message} (else the id), origin
     * {@code file}, auth = the trigger settings alone, redeploy target taken from the trigger URL. Refused hooks
     * carry their problems by path ({@code [0].trigger-rule.and[1].match.type}).
     */
    public static Loaded parse(JsonNode hooks, Instant now) throws InvalidPayloadException {
        if (hooks == null || !hooks.isArray()) {
            throw new InvalidPayloadException("invalid hooks file",
                    List.of(new FieldError("$", "must be a list of hooks")));
        }
        List<ReceiverSpec> served = new ArrayList<>();
        List<Refused> refused = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < hooks.size(); i++) {
            String path = "[" + i + "]";
            JsonNode hook = hooks.get(i);
            List<FieldError> errors = new ArrayList<>();
            if (!hook.isObject()) {
                refused.add(new Refused(i, null, List.of(new FieldError(path, "must be a hook object"))));
                continue;
            }
            String id = id(hook, path, i, seen, errors);
            if (!hook.hasNonNull(TriggerRule.RULE)) {
                errors.add(new FieldError(path + "." + TriggerRule.RULE,
                        "is required: Winch will not serve a hook that accepts every request"));
            } else {
                try {
                    TriggerRule.compile(TriggerRule.settings(hook), path);
                } catch (InvalidPayloadException e) {
                    errors.addAll(e.errors());
                }
            }
            checkMethods(hook.get("http-methods"), path + ".http-methods", errors);
            if (hook.hasNonNull("parse-parameters-as-json")) {
                errors.add(new FieldError(path + ".parse-parameters-as-json", "is not supported by Winch"));
            }
            String name = name(hook, path, id, errors);
            if (errors.isEmpty()) {
                served.add(new ReceiverSpec(id, name, Kind.REDEPLOY,
                        new Auth(null, null, List.of(), TriggerRule.settings(hook)),
                        null, null, null,
                        new Redeploy(null, null, null, null),
                        null, "file", now, now));
            } else {
                refused.add(new Refused(i, id, List.copyOf(errors)));
            }
        }
        return new Loaded(List.copyOf(served), List.copyOf(refused));
    }

    /** The hook's {@code trigger-rule-mismatch-http-response-code}, or 0 when it sets none (Winch answers 404). */
    public static int mismatchStatus(JsonNode hook) {
        JsonNode code = hook == null ? null : hook.get("trigger-rule-mismatch-http-response-code");
        return code != null && code.canConvertToInt() && code.asInt() >= 200 && code.asInt() <= 599
                ? code.asInt() : 0;
    }

    private static String id(JsonNode hook, String path, int index, Map<String, Integer> seen,
            List<FieldError> errors) {
        JsonNode node = hook.get("id");
        if (node == null || node.isNull()) {
            errors.add(new FieldError(path + ".id", "is required"));
            return null;
        }
        // an unquoted number is an id to the tool's YAML reader too
        if (!(node.isTextual() || node.isIntegralNumber()) || !ReceiverSpec.isId(node.asText())) {
            errors.add(new FieldError(path + ".id", ReceiverSpec.ID_RULE));
            return node.isValueNode() ? node.asText() : null;
        }
        String id = node.asText();
        Integer first = seen.putIfAbsent(id, index);
        if (first != null) {
            errors.add(new FieldError(path + ".id", "'" + id + "' is already the id of hook [" + first
                    + "], which is served for it (as the tool serves the first)"));
        }
        return id;
    }

    private static String name(JsonNode hook, String path, String id, List<FieldError> errors) {
        JsonNode message = hook.get("response-message");
        if (message == null || message.isNull()) {
            return id;
        }
        if (!message.isTextual()) {
            errors.add(new FieldError(path + ".response-message", "must be a string"));
            return id;
        }
        String name = message.asText().strip();
        if (name.isEmpty()) {
            return id;
        }
        // a reply text, not written as a name: keep what fits the receiver name limit rather than refuse the hook
        return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    }

    private static void checkMethods(JsonNode methods, String path, List<FieldError> errors) {
        if (methods == null || methods.isNull()) {
            return;
        }
        if (!methods.isArray()) {
            errors.add(new FieldError(path, "must be a list of HTTP methods"));
            return;
        }
        boolean post = false;
        for (JsonNode method : methods) {
            post |= method.isTextual() && method.asText().strip().toUpperCase(Locale.ROOT).equals("POST");
        }
        if (!post) {
            errors.add(new FieldError(path, "must include POST: Winch triggers hooks by POST only"));
        }
    }
}
