package dev.winch.gateway.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.receiver.ReceiverSpec;
import dev.winch.gateway.receiver.ReceiverSpec.Auth;
import dev.winch.gateway.receiver.ReceiverSpec.Kind;
import dev.winch.gateway.receiver.ReceiverSpec.Redeploy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an adnanh/webhook hooks file (JSON or YAML: a list of hook objects, as in seed 001) into
 * {@link Kind#REDEPLOY} receivers, so an existing {@code /hooks/<id>?token=..&ns=..&workload=..&container=..}
 * URL keeps working when it is pointed at Winch. No I/O: the caller reads and parses the file.
 *
 * <p>Winch runs no commands. webhook's hook runs {@code execute-command} with values from the request; Winch
 * instead publishes a redeploy event, taking namespace, workload, container and repository type from the trigger
 * URL ({@code ns}, {@code workload}, {@code container}, {@code repo_type}: what seed 001 passes to its script with
 * {@code pass-environment-to-command}). So {@code execute-command}, {@code command-working-directory},
 * {@code pass-arguments-to-command}, {@code pass-environment-to-command}, {@code pass-file-to-command},
 * {@code pre-hook-command}, {@code response-headers} and {@code include-command-output-*} are read past.
 *
 * <p>The {@code trigger-rule} is the receiver's authentication (it carries the token match), so a hook without
 * one is refused rather than left open, and {@code parse-parameters-as-json} is refused because it changes what
 * the rule sees.
 */
public final class HookFile {

    private static final String ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,126}";
    private static final int MAX_NAME = 200;

    private HookFile() {
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
     * One receiver per hook: id = the hook id, name = its {@code response-message} (else the id), origin
     * {@code file}, auth = the trigger rule alone, redeploy target taken from the trigger URL.
     *
     * @throws InvalidPayloadException naming every problem by its path ({@code [0].trigger-rule.and[1].match.type})
     */
    public static List<ReceiverSpec> parse(JsonNode hooks, Instant now) throws InvalidPayloadException {
        List<FieldError> errors = new ArrayList<>();
        if (hooks == null || !hooks.isArray()) {
            throw new InvalidPayloadException("invalid hooks file",
                    List.of(new FieldError("$", "must be a list of hooks")));
        }
        List<ReceiverSpec> receivers = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < hooks.size(); i++) {
            String path = "[" + i + "]";
            JsonNode hook = hooks.get(i);
            if (!hook.isObject()) {
                errors.add(new FieldError(path, "must be a hook object"));
                continue;
            }
            String id = id(hook, path, i, seen, errors);
            JsonNode rule = hook.get("trigger-rule");
            if (rule == null || rule.isNull()) {
                errors.add(new FieldError(path + ".trigger-rule",
                        "is required: Winch will not run a hook that accepts every request"));
            } else {
                try {
                    TriggerRules.validate(rule, path + ".trigger-rule");
                } catch (InvalidPayloadException e) {
                    errors.addAll(e.errors());
                }
            }
            checkMethods(hook.get("http-methods"), path + ".http-methods", errors);
            checkStatus(hook.get("trigger-rule-mismatch-http-response-code"),
                    path + ".trigger-rule-mismatch-http-response-code", errors);
            if (hook.has("parse-parameters-as-json")) {
                errors.add(new FieldError(path + ".parse-parameters-as-json", "is not supported by Winch"));
            }
            String name = name(hook, path, id, errors);
            if (errors.isEmpty()) {
                receivers.add(new ReceiverSpec(id, name, Kind.REDEPLOY,
                        new Auth(null, null, List.of(), rule.deepCopy()),
                        null, null, null,
                        new Redeploy(null, null, null, null),
                        null, "file", now, now));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException("invalid hooks file", errors);
        }
        return List.copyOf(receivers);
    }

    /** The hook's {@code trigger-rule-mismatch-http-response-code}, or 0 when it sets none. */
    public static int mismatchStatus(JsonNode hook) {
        JsonNode code = hook == null ? null : hook.get("trigger-rule-mismatch-http-response-code");
        return code != null && code.canConvertToInt() && validStatus(code.asInt()) ? code.asInt() : 0;
    }

    private static String id(JsonNode hook, String path, int index, Map<String, Integer> seen,
            List<FieldError> errors) {
        JsonNode node = hook.get("id");
        if (node == null || node.isNull()) {
            errors.add(new FieldError(path + ".id", "is required"));
            return null;
        }
        if (!node.isTextual() || !node.asText().matches(ID_PATTERN)) {
            errors.add(new FieldError(path + ".id", "letters, digits, '.', '_' or '-', at most 127 characters"));
            return null;
        }
        String id = node.asText();
        Integer first = seen.putIfAbsent(id, index);
        if (first != null) {
            errors.add(new FieldError(path + ".id", "'" + id + "' is already the id of hook [" + first + "]"));
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
        // a reply text, not written as a name: keep what fits the receiver name limit rather than refuse the file
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

    private static void checkStatus(JsonNode code, String path, List<FieldError> errors) {
        if (code != null && !code.isNull() && !(code.isIntegralNumber() && code.canConvertToInt()
                && validStatus(code.asInt()))) {
            errors.add(new FieldError(path, "must be an HTTP status code between 200 and 599"));
        }
    }

    private static boolean validStatus(int code) {
        return code >= 200 && code <= 599;
    }
}
