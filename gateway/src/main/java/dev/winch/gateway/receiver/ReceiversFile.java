package dev.winch.gateway.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.winch.common.config.Secret;
import dev.winch.common.event.WorkloadRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Receivers declared in a file (YAML or JSON), for GitOps and the compose stack:
 *
 * <pre>
 * receivers:
 *   - id: demo-web
 *     name: Upgrade demo/web on a Docker Hub push
 *     kind: redeploy
 *     token: change-me
 *     redeploy:
 *       namespace: demo
 *       workload: deployment/web
 *       container: web
 * </pre>
 */
public final class ReceiversFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ReceiversFile() {
    }

    /** @throws InvalidReceiversException listing every problem with its path in the file */
    public static List<Receiver> load(Path file) throws IOException {
        return parse(YAML.readTree(file.toFile()), file.toString());
    }

    static List<Receiver> parse(JsonNode root, String origin) {
        List<String> problems = new ArrayList<>();
        List<Receiver> receivers = new ArrayList<>();
        JsonNode list = root == null ? null : root.get("receivers");
        if (list == null || !list.isArray()) {
            throw new InvalidReceiversException(origin, List.of("receivers: must be a list"));
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "receivers[" + i + "]";
            JsonNode node = list.get(i);
            String id = text(node, "id");
            String kind = text(node, "kind");
            String token = text(node, "token");
            if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,126}")) {
                problems.add(at + ".id: required, letters, digits, '.', '_' or '-'");
                continue;
            }
            if (!ids.add(id)) {
                problems.add(at + ".id: '" + id + "' is declared twice");
            }
            if (token == null || token.length() < 8) {
                problems.add(at + ".token: required, at least 8 characters");
            }
            if (!"redeploy".equals(kind == null ? null : kind.toLowerCase(Locale.ROOT))) {
                problems.add(at + ".kind: must be redeploy, got '" + kind + "'");
                continue;
            }
            JsonNode redeploy = node.get("redeploy");
            String container = text(redeploy, "container");
            WorkloadRef workload = null;
            try {
                workload = WorkloadRef.parse(text(redeploy, "namespace"), text(redeploy, "workload"));
            } catch (IllegalArgumentException e) {
                problems.add(at + ".redeploy: " + e.getMessage());
            }
            if (container == null) {
                problems.add(at + ".redeploy.container: required");
            }
            if (workload != null && container != null && token != null) {
                receivers.add(new Receiver(id, text(node, "name"), Receiver.Kind.REDEPLOY, Secret.of(token),
                        new Receiver.Redeploy(workload, container)));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidReceiversException(origin, problems);
        }
        return receivers;
    }

    private static String text(JsonNode node, String field) {
        if (node == null || node.get(field) == null || node.get(field).isNull()) {
            return null;
        }
        String value = node.get(field).asText().trim();
        return value.isEmpty() ? null : value;
    }

    /** The file does not declare valid receivers. */
    public static final class InvalidReceiversException extends RuntimeException {
        public InvalidReceiversException(String origin, List<String> problems) {
            super(origin + ": " + String.join("; ", problems));
        }
    }
}
