package dev.winch.upgrader.model;

import java.util.Map;
import java.util.TreeMap;

/** The Rancher 1.x selector rule: every pair must match, and a pair with an empty value only needs the key. */
public final class LabelSelectors {

    private LabelSelectors() {
    }

    public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        Map<String, String> present = labels == null ? Map.of() : labels;
        for (Map.Entry<String, String> wanted : selector.entrySet()) {
            String value = present.get(wanted.getKey());
            if (value == null || !(wanted.getValue() == null || wanted.getValue().isEmpty()
                    || wanted.getValue().equals(value))) {
                return false;
            }
        }
        return true;
    }

    /** {@code a=1,b} in key order: the selector as Kubernetes writes it ({@code b} alone means "b exists"). */
    public static String describe(Map<String, String> selector) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(selector).forEach((key, value) -> {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(key);
            if (value != null && !value.isEmpty()) {
                out.append('=').append(value);
            }
        });
        return out.toString();
    }
}
