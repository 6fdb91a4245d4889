package dev.winch.notifier.channel.template;

import dev.winch.common.event.ActionResult;
import dev.winch.notifier.channel.Notification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The variables a message template sees, built from a {@link Notification}. Plain maps and lists of strings, so a
 * template can only read facts, never call into the result's classes.
 *
 * <p>Top level, for a single result and for a digest alike: {@code digest} (true for a digest), {@code count},
 * {@code window} (digest only), {@code results} (one entry per result, oldest first) and {@code target} (the common
 * target, or "N targets"). A single result's fields are also at the top level; each entry of {@code results} has
 * them too: {@code resultId}, {@code eventId}, {@code eventUrl}, {@code receiverId}, {@code cause} (in words),
 * {@code causeType}, {@code target}, {@code outcome}, {@code reason}, {@code stage}, {@code changes} (lines like
 * {@code container web: nginx:1.25 → nginx:1.26}, {@code replicas 2 → 4 (one write for 3 requests)}), {@code before}, {@code after}, {@code worker}, {@code startedAt},
 * {@code finishedAt}, {@code details} (every detail, sorted by name).
 */
public final class MessageModel {

    private MessageModel() {
    }

    public static Map<String, Object> of(Notification notification) {
        Map<String, Object> model = new LinkedHashMap<>();
        List<Map<String, Object>> results = new ArrayList<>();
        if (notification instanceof Notification.Single single) {
            Map<String, Object> entry = entry(single.resultId(), single.result(), single.eventUrl());
            results.add(entry);
            model.putAll(entry);
            model.put("digest", false);
        } else if (notification instanceof Notification.Digest digest) {
            for (int i = 0; i < digest.results().size(); i++) {
                results.add(entry(digest.resultIds().get(i), digest.results().get(i), null));
            }
            model.put("digest", true);
            model.put("window", digest.window());
            model.put("target", commonTarget(digest.results()));
            model.put("outcome", commonOutcome(digest.results()));
        }
        model.put("results", results);
        model.put("count", results.size());
        return model;
    }

    /** The fields of one result, as the templates name them. */
    public static Map<String, Object> entry(String resultId, ActionResult result, String eventUrl) {
        Map<String, Object> entry = new LinkedHashMap<>();
        Map<String, String> details = result.details();
        entry.put("resultId", resultId);
        entry.put("eventId", result.causeId());
        entry.put("eventUrl", eventUrl);
        entry.put("receiverId", result.receiverId());
        entry.put("causeType", result.causeType());
        entry.put("cause", cause(result.causeType()));
        entry.put("target", result.target() == null ? "(no target)" : result.target());
        entry.put("outcome", result.outcome().name());
        entry.put("reason", result.reason() == null ? "" : result.reason());
        entry.put("stage", details.get("stage"));
        List<String> changes = changes(details);
        entry.put("changes", changes);
        entry.put("before", before(details));
        entry.put("after", after(details));
        entry.put("worker", result.worker());
        entry.put("startedAt", text(result.startedAt()));
        entry.put("finishedAt", text(result.finishedAt()));
        entry.put("details", new TreeMap<>(details));
        return entry;
    }

    /** What kind of request caused the result, in words. */
    static String cause(String causeType) {
        if (causeType == null) {
            return "request";
        }
        return switch (causeType) {
            case "dev.winch.image.pushed" -> "image push";
            case "dev.winch.service.scale.requested" -> "scale request";
            case "dev.winch.host.scale.requested" -> "host scale request";
            case "dev.winch.k8s.event.observed" -> "Kubernetes event";
            default -> causeType;
        };
    }

    private static String before(Map<String, String> details) {
        if (details.containsKey("oldImage")) {
            return details.get("oldImage");
        }
        if (details.containsKey("replicasBefore")) {
            return details.get("replicasBefore");
        }
        return details.get("from");
    }

    private static String after(Map<String, String> details) {
        if (details.containsKey("newImage")) {
            return details.get("newImage");
        }
        if (details.containsKey("replicasAfter")) {
            return details.get("replicasAfter");
        }
        return details.get("to");
    }

    /** Before → after, one line per change: every container's image, the replica count. */
    private static List<String> changes(Map<String, String> details) {
        List<String> lines = new ArrayList<>();
        Set<String> containers = new LinkedHashSet<>();
        String listed = details.get("containers");
        if (listed != null && !listed.isBlank()) {
            for (String container : listed.split(",")) {
                containers.add(container.trim());
            }
        }
        if (containers.isEmpty() && (details.containsKey("oldImage") || details.containsKey("newImage"))) {
            lines.add("image " + orNone(details.get("oldImage")) + " → " + orNone(details.get("newImage")));
        }
        for (String container : containers) {
            String old = details.getOrDefault("oldImage." + container,
                    containers.size() == 1 ? details.get("oldImage") : null);
            String now = details.getOrDefault("newImage." + container,
                    containers.size() == 1 ? details.get("newImage") : null);
            lines.add("container " + container + ": " + orNone(old) + " → " + orNone(now));
        }
        String from = details.getOrDefault("replicasBefore", details.get("from"));
        String to = details.getOrDefault("replicasAfter", details.get("to"));
        if (from != null || to != null) {
            String folded = details.get("foldedCount");
            boolean several = folded != null && !folded.equals("0") && !folded.equals("1");
            lines.add("replicas " + orNone(from) + " → " + orNone(to)
                    + (several ? " (one write for " + folded + " requests)" : ""));
        }
        return lines;
    }

    private static String commonTarget(List<ActionResult> results) {
        Set<String> targets = new LinkedHashSet<>();
        for (ActionResult result : results) {
            targets.add(result.target() == null ? "(no target)" : result.target());
        }
        return targets.size() == 1 ? targets.iterator().next() : targets.size() + " targets";
    }

    private static String commonOutcome(List<ActionResult> results) {
        Set<String> outcomes = new LinkedHashSet<>();
        for (ActionResult result : results) {
            outcomes.add(result.outcome().name());
        }
        return String.join("/", outcomes);
    }

    private static String orNone(String value) {
        return value == null || value.isEmpty() ? "(none)" : value;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
