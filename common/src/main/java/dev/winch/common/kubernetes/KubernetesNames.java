package dev.winch.common.kubernetes;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * The name rules of the Kubernetes API server ({@code k8s.io/apimachinery/pkg/util/validation}), checked before a
 * name reaches a worker: a name the API server would refuse, or one that means something else in a path
 * ({@code ../kube-system}, {@code demo/other}), must be refused where it enters, with the field that carried it,
 * not fail later far from the request.
 *
 * <ul>
 *   <li>DNS-1123 label (namespaces, container names): at most 63 characters, lower-case letters, digits and
 *       {@code -}, starting and ending with a letter or digit: {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?}.</li>
 *   <li>DNS-1123 subdomain (Deployment, StatefulSet, DaemonSet, ReplicaSet names): at most 253 characters, labels
 *       as above joined by {@code .}.</li>
 *   <li>Label key: an optional DNS-1123 subdomain prefix and {@code /}, then a name of at most 63 characters:
 *       letters, digits, {@code -}, {@code _}, {@code .}, starting and ending with a letter or digit.</li>
 *   <li>Label value: empty, or as the name part of a key.</li>
 * </ul>
 *
 * <p>Each check answers the problem in Kubernetes' own words, or empty when the name is valid. Nothing is trimmed
 * or lower-cased: {@code DEMO} is not {@code demo}, and a name is refused rather than cleaned.
 */
public final class KubernetesNames {

    public static final int LABEL_MAX_LENGTH = 63;
    public static final int SUBDOMAIN_MAX_LENGTH = 253;
    public static final int LABEL_VALUE_MAX_LENGTH = 63;
    public static final int QUALIFIED_NAME_MAX_LENGTH = 63;

    /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?}. */
    private static final Predicate<String> LABEL = value -> isLabel(value, 0, value.length());
    /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*}. */
    private static final Predicate<String> SUBDOMAIN = KubernetesNames::isSubdomain;
    /** {@code ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]}. */
    private static final Predicate<String> QUALIFIED_NAME = KubernetesNames::isQualifiedName;

    private KubernetesNames() {
    }

    /** A namespace or container name. */
    public static Optional<String> dns1123LabelProblem(String value) {
        return problem(value, "", LABEL_MAX_LENGTH, LABEL, "a lowercase RFC 1123 label must consist of lower case "
                + "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. "
                + "'my-name' or '123-abc')");
    }

    /** The name of a Deployment, StatefulSet, DaemonSet or ReplicaSet. */
    public static Optional<String> dns1123SubdomainProblem(String value) {
        return problem(value, "", SUBDOMAIN_MAX_LENGTH, SUBDOMAIN, "a lowercase RFC 1123 subdomain must consist of "
                + "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
                + "character (e.g. 'example.com')");
    }

    /** Empty, too long, or not matching {@code format}, in that order; {@code part} starts each answer. */
    private static Optional<String> problem(String value, String part, int maxLength, Predicate<String> format,
            String formatProblem) {
        if (value == null || value.isEmpty()) {
            return Optional.of(part + "must not be empty");
        }
        if (value.length() > maxLength) {
            return Optional.of(part + "must be no more than " + maxLength + " characters");
        }
        if (!format.test(value)) {
            return Optional.of(part + formatProblem);
        }
        return Optional.empty();
    }

    /** A label key: {@code app}, {@code app.kubernetes.io/name}. */
    public static Optional<String> labelKeyProblem(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.of("a label key must not be empty");
        }
        int slash = key.indexOf('/');
        String name = key;
        if (slash >= 0) {
            Optional<String> prefix = dns1123SubdomainProblem(key.substring(0, slash));
            if (prefix.isPresent()) {
                return Optional.of("prefix part " + prefix.get());
            }
            name = key.substring(slash + 1);
        }
        return problem(name, "name part ", QUALIFIED_NAME_MAX_LENGTH, QUALIFIED_NAME, "must consist of alphanumeric "
                + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                + "'MyName', 'my.name' or '123-abc')");
    }

    /** A label value; empty is valid. */
    public static Optional<String> labelValueProblem(String value) {
        if (value == null) {
            return Optional.of("a label value must be a string");
        }
        if (value.isEmpty()) {
            return Optional.empty();
        }
        return problem(value, "", LABEL_VALUE_MAX_LENGTH, QUALIFIED_NAME, "a valid label must be an empty string or "
                + "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                + "character");
    }

    public static boolean isDns1123Label(String value) {
        return dns1123LabelProblem(value).isEmpty();
    }

    public static boolean isDns1123Subdomain(String value) {
        return dns1123SubdomainProblem(value).isEmpty();
    }

    // The formats are checked character by character rather than with java.util.regex: these checks run for every
    // name a trigger URL carries, and a scan of a few characters costs a fraction of a regex match.

    private static boolean isLabel(String value, int from, int to) {
        if (from >= to || !isLowerAlphanumeric(value.charAt(from)) || !isLowerAlphanumeric(value.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = value.charAt(i);
            if (c != '-' && !isLowerAlphanumeric(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSubdomain(String value) {
        int from = 0;
        for (int dot = value.indexOf('.'); dot >= 0; dot = value.indexOf('.', from)) {
            if (!isLabel(value, from, dot)) {
                return false;
            }
            from = dot + 1;
        }
        return isLabel(value, from, value.length());
    }

    private static boolean isQualifiedName(String value) {
        int last = value.length() - 1;
        if (last < 0 || !isAlphanumeric(value.charAt(0)) || !isAlphanumeric(value.charAt(last))) {
            return false;
        }
        for (int i = 1; i < last; i++) {
            char c = value.charAt(i);
            if (c != '-' && c != '_' && c != '.' && !isAlphanumeric(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLowerAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean isAlphanumeric(char c) {
        return isLowerAlphanumeric(c) || (c >= 'A' && c <= 'Z');
    }
}
