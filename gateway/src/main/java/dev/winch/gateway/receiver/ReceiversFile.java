package dev.winch.gateway.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.gateway.hooks.HookFile;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Receivers declared in a file given at start (YAML or JSON), for GitOps and the compose stack. Two forms:
 * Winch's own ({@code receivers:} with entries shaped like the admin API's input), and the hooks file of the
 * adnanh/webhook tool (seed 001), whose trigger rules are kept and evaluated as that tool does.
 */
public final class ReceiversFile {

    private ReceiversFile() {
    }

    /** @throws InvalidPayloadException listing every problem with its path in the file */
    public static List<ReceiverSpec> load(Path file, Instant now) throws IOException, InvalidPayloadException {
        byte[] bytes = Files.readAllBytes(file);
        JsonNode root = HookFile.readTree(bytes);
        if (root != null && HookFile.looksLikeHookFile(root)) {
            return HookFile.load(HookFile.readHooks(bytes), file.toString(), now);
        }
        return parse(root, now);
    }

    public static List<ReceiverSpec> parse(JsonNode root, Instant now) throws InvalidPayloadException {
        if (root != null && HookFile.looksLikeHookFile(root)) {
            return HookFile.load(root, "hooks file", now);
        }
        JsonNode list = root == null ? null : root.get("receivers");
        if (list == null || !list.isArray()) {
            throw new InvalidPayloadException("not a receivers file",
                    List.of(new FieldError("receivers", "must be a list (or the file a list of webhook hooks)")));
        }
        List<ReceiverSpec> receivers = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "receivers[" + i + "]";
            try {
                ReceiverSpec spec = ReceiverValidator.validate(list.get(i), null, null, "file", now).spec();
                if (!list.get(i).has("id")) {
                    errors.add(new FieldError(at + ".id", "is required in a file, so the trigger URL stays the same"));
                } else if (!ids.add(spec.id())) {
                    errors.add(new FieldError(at + ".id", "'" + spec.id() + "' is declared twice"));
                } else {
                    receivers.add(spec);
                }
            } catch (InvalidPayloadException e) {
                e.errors().forEach(err -> errors.add(new FieldError(at + "." + err.field(), err.message())));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException("invalid receivers file", errors);
        }
        return receivers;
    }
}
