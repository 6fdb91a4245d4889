package dev.winch.notifier.events.sink;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.winch.common.event.KubeEventObserved;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which Kubernetes events a sink takes: kube-eventer's {@code level}, {@code namespaces}, {@code kinds} and
 * {@code reason} filters, and Winch's exclusions {@code exclude_namespaces}, {@code exclude_kinds},
 * {@code exclude_reason}. An event passes when it passes every filter given and matches no exclusion. No I/O.
 *
 * <ul>
 *   <li>level: {@code Warning} takes Warning events; {@code Normal} takes Normal and Warning ones (kube-eventer's
 *       DingTalk and WeChat sinks' meaning; its webhook sink takes only Normal ones then).</li>
 *   <li>namespaces: the involved object's namespace matches one of the names or RE2 regular expressions (the whole
 *       name must match). Events of cluster-scoped objects (Nodes, PersistentVolumes: no namespace) are not
 *       namespaced, so a namespace filter keeps them; filter them with {@code kinds} or {@code exclude_kinds}.</li>
 *   <li>kinds: the involved object's kind is one of the list (case-insensitive).</li>
 *   <li>reason: the reason contains a match of one of the regular expressions (Go's {@code MatchString}); every
 *       {@code reason=} parameter adds one (OR).</li>
 * </ul>
 *
 * @param normalToo    whether Normal events are taken besides Warning ones
 * @param namespaces   the namespace patterns, empty for all
 * @param kinds        the kinds, empty for all
 * @param reasons      the reason patterns, empty for all
 */
public record EventFilter(boolean normalToo, List<Pattern> namespaces, List<String> kinds, List<Pattern> reasons,
        List<Pattern> excludedNamespaces, List<String> excludedKinds, List<Pattern> excludedReasons) {

    public static final EventFilter WARNINGS = new EventFilter(false, List.of(), List.of(), List.of(), List.of(),
            List.of(), List.of());

    public EventFilter {
        namespaces = List.copyOf(namespaces);
        kinds = kinds.stream().map(kind -> kind.toLowerCase(Locale.ROOT)).toList();
        reasons = List.copyOf(reasons);
        excludedNamespaces = List.copyOf(excludedNamespaces);
        excludedKinds = excludedKinds.stream().map(kind -> kind.toLowerCase(Locale.ROOT)).toList();
        excludedReasons = List.copyOf(excludedReasons);
    }

    public boolean accepts(KubeEventObserved event) {
        boolean warning = "Warning".equals(event.type());
        if (!warning && !(normalToo && "Normal".equals(event.type()))) {
            return false;
        }
        String namespace = event.namespace() == null ? "" : event.namespace();
        boolean namespaced = !namespace.isEmpty();
        String kind = event.involvedKind() == null ? "" : event.involvedKind().toLowerCase(Locale.ROOT);
        String reason = event.reason() == null ? "" : event.reason();
        if (namespaced && !namespaces.isEmpty() && namespaces.stream().noneMatch(p -> p.matches(namespace))) {
            return false;
        }
        if (!kinds.isEmpty() && !kinds.contains(kind)) {
            return false;
        }
        if (!reasons.isEmpty() && reasons.stream().noneMatch(p -> p.matcher(reason).find())) {
            return false;
        }
        if (namespaced && excludedNamespaces.stream().anyMatch(p -> p.matches(namespace))) {
            return false;
        }
        if (excludedKinds.contains(kind)) {
            return false;
        }
        return excludedReasons.stream().noneMatch(p -> p.matcher(reason).find());
    }

    /**
     * Values of a list parameter: comma-separated, every occurrence added; a comma inside (), [] or {} belongs to a
     * regular expression and does not separate.
     */
    static List<String> values(List<String> occurrences) {
        List<String> values = new ArrayList<>();
        for (String occurrence : occurrences) {
            int depth = 0;
            StringBuilder current = new StringBuilder();
            for (int i = 0; i < occurrence.length(); i++) {
                char c = occurrence.charAt(i);
                if (c == '\\' && i + 1 < occurrence.length()) {
                    current.append(c).append(occurrence.charAt(++i));
                    continue;
                }
                if (c == '(' || c == '[' || c == '{') {
                    depth++;
                } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
                    depth--;
                } else if (c == ',' && depth == 0) {
                    add(values, current.toString());
                    current.setLength(0);
                    continue;
                }
                current.append(c);
            }
            add(values, current.toString());
        }
        return values;
    }

    private static void add(List<String> values, String value) {
        if (!value.isBlank()) {
            values.add(value.strip());
        }
    }

    /** @throws IllegalArgumentException naming {@code parameter} and the expression */
    static List<Pattern> patterns(String parameter, List<String> values) {
        List<Pattern> patterns = new ArrayList<>();
        for (String value : values) {
            try {
                patterns.add(Pattern.compile(value));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(parameter + ": '" + value + "' is not a regular expression ("
                        + e.getDescription() + ")");
            }
        }
        return patterns;
    }
}
