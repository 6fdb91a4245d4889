package dev.winch.common.image;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version read from an image tag, leniently, as registries' users write them: {@code 1.2.3}, {@code v1.2.3},
 * {@code 1.2} (= 1.2.0), {@code 1} (= 1.0.0), {@code 1.2.3-rc.1}, {@code 1.2.3+build.5}. Ordered by Semantic
 * Versioning 2.0 precedence: the build part is ignored; a pre-release sorts before its release; pre-release
 * identifiers compare numerically when both are numbers, else as text, and numbers before text.
 *
 * @param preRelease the dot-separated pre-release identifiers, empty for a release
 */
public record SemanticVersion(BigInteger major, BigInteger minor, BigInteger patch, List<String> preRelease)
        implements Comparable<SemanticVersion> {

    private static final Pattern VERSION = Pattern.compile(
            "[vV]?(0|[1-9][0-9]*)(?:\\.(0|[1-9][0-9]*))?(?:\\.(0|[1-9][0-9]*))?"
                    + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");
    private static final Pattern NUMERIC = Pattern.compile("[0-9]+");

    public SemanticVersion {
        preRelease = List.copyOf(preRelease);
    }

    /**
     * The version a tag names, or empty when it names none ({@code latest}, {@code stable}, {@code main-3f2a9c1}).
     * Lenient like the Go libraries registries' tooling uses: a bare number such as {@code 20240102} reads as a
     * major version.
     */
    public static Optional<SemanticVersion> parse(String tag) {
        if (tag == null) {
            return Optional.empty();
        }
        Matcher m = VERSION.matcher(tag);
        if (!m.matches()) {
            return Optional.empty();
        }
        List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
        for (String identifier : pre) {
            // SemVer forbids leading zeros in numeric identifiers
            if (identifier.length() > 1 && identifier.startsWith("0") && NUMERIC.matcher(identifier).matches()) {
                return Optional.empty();
            }
        }
        return Optional.of(new SemanticVersion(new BigInteger(m.group(1)), number(m.group(2)), number(m.group(3)),
                pre));
    }

    public boolean isPreRelease() {
        return !preRelease.isEmpty();
    }

    @Override
    public int compareTo(SemanticVersion other) {
        int c = major.compareTo(other.major);
        if (c == 0) {
            c = minor.compareTo(other.minor);
        }
        if (c == 0) {
            c = patch.compareTo(other.patch);
        }
        if (c != 0) {
            return c;
        }
        if (preRelease.isEmpty() || other.preRelease.isEmpty()) {
            // a release sorts after its pre-releases
            return Boolean.compare(preRelease.isEmpty(), other.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), other.preRelease.size()); i++) {
            c = compareIdentifier(preRelease.get(i), other.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), other.preRelease.size());
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (preRelease.isEmpty() ? "" : "-" + String.join(".", preRelease));
    }

    private static int compareIdentifier(String a, String b) {
        boolean numericA = NUMERIC.matcher(a).matches();
        boolean numericB = NUMERIC.matcher(b).matches();
        if (numericA && numericB) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        if (numericA != numericB) {
            return numericA ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static BigInteger number(String digits) {
        return digits == null ? BigInteger.ZERO : new BigInteger(digits);
    }
}
