package dev.winch.kubernetes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A Kubernetes label selector ({@code matchLabels} and {@code matchExpressions}) in plain values, and the rule that
 * decides whether a set of labels matches it, as the API server decides it. Plain Java, so that the models and
 * their tests can use it without fabric8.
 *
 * <p>Receivers give their selectors as a map in which an empty value means "the key only has to exist" (Rancher
 * 1.x's rule, kept by the scaler and the upgrader): {@link #ofReceiver(Map)} reads that convention.
 *
 * <p>A label key mapped to null counts as absent. The API server never sends one (a label value is a string, maybe
 * empty), so this decides only for maps built by hand.
 *
 * @param matchLabels      key = value pairs that must all be present
 * @param matchExpressions requirements that must all hold
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

    /** The operators of {@code matchExpressions}. */
    public enum Operator {
        IN, NOT_IN, EXISTS, DOES_NOT_EXIST
    }

    /**
     * One {@code matchExpressions} entry. {@code In} and {@code NotIn} take at least one value, {@code Exists} and
     * {@code DoesNotExist} none, as the API server requires.
     */
    public record Requirement(String key, Operator operator, Set<String> values) {

        public Requirement {
            Objects.requireNonNull(operator, "operator");
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("a label selector requirement needs a key");
            }
            values = values == null ? Set.of() : Set.copyOf(new TreeSet<>(values));
            boolean takesValues = operator == Operator.IN || operator == Operator.NOT_IN;
            if (takesValues && values.isEmpty()) {
                throw new IllegalArgumentException(operator + " on label '" + key + "' needs at least one value");
            }
            if (!takesValues && !values.isEmpty()) {
                throw new IllegalArgumentException(operator + " on label '" + key + "' takes no values");
            }
        }

        public static Requirement in(String key, String... values) {
            return new Requirement(key, Operator.IN, Set.of(values));
        }

        public static Requirement notIn(String key, String... values) {
            return new Requirement(key, Operator.NOT_IN, Set.of(values));
        }

        public static Requirement exists(String key) {
            return new Requirement(key, Operator.EXISTS, Set.of());
        }

        public static Requirement doesNotExist(String key) {
            return new Requirement(key, Operator.DOES_NOT_EXIST, Set.of());
        }

        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case IN -> value != null && values.contains(value);
                // as the API server: a missing key is "not in" any set
                case NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
            };
        }

        /** As {@code kubectl get -l} takes it: {@code k in (a,b)}, {@code k notin (a)}, {@code k}, {@code !k}. */
        String describe() {
            return switch (operator) {
                case IN -> key + " in (" + String.join(",", new TreeSet<>(values)) + ")";
                case NOT_IN -> key + " notin (" + String.join(",", new TreeSet<>(values)) + ")";
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
            };
        }
    }

    public LabelSelector {
        Map<String, String> labels = new LinkedHashMap<>();
        if (matchLabels != null) {
            matchLabels.forEach((key, value) -> {
                if (key == null || key.isEmpty() || value == null) {
                    throw new IllegalArgumentException("matchLabels needs a key and a value, got " + key + "="
                            + value);
                }
                labels.put(key, value);
            });
        }
        matchLabels = Map.copyOf(labels);
        matchExpressions = matchExpressions == null ? List.of() : List.copyOf(matchExpressions);
    }

    /** A selector of {@code matchLabels} only. */
    public static LabelSelector of(Map<String, String> matchLabels) {
        return new LabelSelector(matchLabels, List.of());
    }

    /**
     * A receiver's selector: every pair must match, and a key with an empty (or null) value only has to exist.
     */
    public static LabelSelector ofReceiver(Map<String, String> labels) {
        Map<String, String> valued = new LinkedHashMap<>();
        List<Requirement> keysOnly = new ArrayList<>();
        if (labels != null) {
            labels.forEach((key, value) -> {
                if (value == null || value.isEmpty()) {
                    keysOnly.add(Requirement.exists(key));
                } else {
                    valued.put(key, value);
                }
            });
        }
        keysOnly.sort(Comparator.comparing(Requirement::key));
        return new LabelSelector(valued, keysOnly);
    }

    /** True when it has no term: it would match every object. */
    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    /** Whether an object with these labels (null: none) is selected. */
    public boolean matches(Map<String, String> labels) {
        Map<String, String> present = labels == null ? Map.of() : labels;
        for (Map.Entry<String, String> wanted : matchLabels.entrySet()) {
            if (!wanted.getValue().equals(present.get(wanted.getKey()))) {
                return false;
            }
        }
        return matchExpressions.stream().allMatch(r -> r.matches(present));
    }

    /**
     * The selector as Kubernetes writes it, terms in key order: {@code app=web,tier in (a,b),winch.dev/upgrade}
     * ({@code winch.dev/upgrade} alone means the key exists).
     */
    public String describe() {
        List<Map.Entry<String, String>> terms = new ArrayList<>();
        matchLabels.forEach((key, value) -> terms.add(Map.entry(key, key + "=" + value)));
        matchExpressions.forEach(r -> terms.add(Map.entry(r.key(), r.describe())));
        return terms.stream()
                .sorted(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry::getValue))
                .map(Map.Entry::getValue)
                .collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return describe();
    }
}
