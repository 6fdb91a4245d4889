package dev.winch.common.image;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Locale;

/**
 * Which pushed tags a receiver takes: a receiver's update policy, written as a string so it travels in events and
 * receiver definitions unchanged.
 *
 * <ul>
 *   <li>{@code exact} (the default, the seeds' behaviour): the pushed tag must equal the tag the receiver follows;
 *       with no followed tag (the seed 001 hook) every pushed tag is taken.</li>
 *   <li>{@code semver:major}, {@code semver:minor}, {@code semver:patch}: the pushed tag must be a version newer
 *       than the one the container runs ({@link SemanticVersion}); {@code minor} keeps the major version,
 *       {@code patch} keeps major and minor. Never a downgrade, never the same version again. Pre-releases
 *       ({@code 1.3.0-rc.1}) are taken only with the suffix {@code +prerelease}, e.g.
 *       {@code semver:minor+prerelease}.</li>
 *   <li>{@code glob:<pattern>}: the tag matches the pattern as a whole; {@code *} is any run of characters,
 *       {@code ?} one character, e.g. {@code glob:build-*}.</li>
 *   <li>{@code regexp:<pattern>}: the regular expression, in Go's RE2 syntax, is found in the tag (as Go's
 *       {@code MatchString}, which Keel uses, finds it; anchor it with {@code ^...$} to match the whole tag).</li>
 * </ul>
 *
 * <p>Patterns come from whoever configures a receiver, and tags from whoever pushes: both run on RE2/J, whose time
 * is linear in the tag, never on a backtracking engine. RE2 has no back-references or look-around, as in Go; such a
 * pattern is refused when the policy is parsed. Each pattern is compiled once, when the policy is parsed.
 *
 * <p>Only {@code semver} compares with what a workload runs ({@link #comparesWithCurrent()}); the others decide from
 * the pushed tag alone, so a gateway can apply them before writing an event.
 */
public sealed interface TagPolicy {

    /** Whether a pushed tag is taken, and a sentence saying why (for results and HTTP answers). */
    record Verdict(boolean taken, String reason) {

        static Verdict take(String reason) {
            return new Verdict(true, reason);
        }

        static Verdict refuse(String reason) {
            return new Verdict(false, reason);
        }
    }

    /** How far a semver policy may move. */
    enum Level {
        MAJOR, MINOR, PATCH
    }

    /**
     * @param spec      the policy as configured; null or blank means {@code exact}
     * @param followTag the tag the receiver follows, used by {@code exact} (null: any tag)
     * @throws IllegalArgumentException naming the accepted forms when {@code spec} is not one
     */
    static TagPolicy parse(String spec, String followTag) {
        if (spec == null || spec.isBlank()) {
            return new Exact(followTag);
        }
        String trimmed = spec.strip();
        int colon = trimmed.indexOf(':');
        String kind = (colon < 0 ? trimmed : trimmed.substring(0, colon)).toLowerCase(Locale.ROOT);
        String argument = colon < 0 ? null : trimmed.substring(colon + 1);
        switch (kind) {
            case "exact":
                if (argument != null) {
                    throw invalid(spec, "exact takes no argument; the followed tag is configured on its own");
                }
                return new Exact(followTag);
            case "semver":
                return Semver.parse(spec, argument);
            case "glob":
                if (argument == null || argument.isEmpty()) {
                    throw invalid(spec, "glob: needs a pattern, e.g. glob:build-*");
                }
                return Glob.of(argument);
            case "regexp":
                if (argument == null || argument.isEmpty()) {
                    throw invalid(spec, "regexp: needs a pattern, e.g. regexp:^v1\\.");
                }
                try {
                    return new Regexp(Pattern.compile(argument));
                } catch (PatternSyntaxException e) {
                    throw invalid(spec, "the regular expression does not compile: " + e.getDescription());
                }
            default:
                throw invalid(spec, null);
        }
    }

    /** True when the verdict depends on the tag the workload runs now (semver), not only on the pushed tag. */
    boolean comparesWithCurrent();

    /**
     * @param pushedTag  the tag that was pushed
     * @param currentTag the tag the container runs now, or null when it runs none (a digest only) or it is not known;
     *                   ignored by policies that do not {@link #comparesWithCurrent() compare with it}
     */
    Verdict evaluate(String pushedTag, String currentTag);

    /** The policy in the form {@link #parse} reads. */
    String spec();

    private static IllegalArgumentException invalid(String spec, String detail) {
        return new IllegalArgumentException("tag policy must be exact, semver:major|minor|patch[+prerelease], "
                + "glob:<pattern> or regexp:<pattern>, got '" + spec + "'" + (detail == null ? "" : ": " + detail));
    }

    /** The pushed tag equals the followed one; every tag when none is followed. */
    record Exact(String followTag) implements TagPolicy {

        @Override
        public boolean comparesWithCurrent() {
            return false;
        }

        @Override
        public Verdict evaluate(String pushedTag, String currentTag) {
            if (followTag == null) {
                return Verdict.take("every pushed tag is taken");
            }
            if (followTag.equals(pushedTag)) {
                return Verdict.take("tag " + pushedTag + " is the tag this receiver follows");
            }
            return Verdict.refuse("tag " + pushedTag + " is not followed; this receiver follows tag " + followTag);
        }

        @Override
        public String spec() {
            return "exact";
        }
    }

    /** A newer semantic version within {@code level}; pre-releases only when allowed. */
    record Semver(Level level, boolean preReleases) implements TagPolicy {

        static Semver parse(String spec, String argument) {
            if (argument == null) {
                throw invalid(spec, "semver needs a level: semver:major, semver:minor or semver:patch");
            }
            String value = argument.toLowerCase(Locale.ROOT);
            boolean pre = value.endsWith("+prerelease");
            if (pre) {
                value = value.substring(0, value.length() - "+prerelease".length());
            }
            return switch (value) {
                case "major" -> new Semver(Level.MAJOR, pre);
                case "minor" -> new Semver(Level.MINOR, pre);
                case "patch" -> new Semver(Level.PATCH, pre);
                default -> throw invalid(spec, "the semver level must be major, minor or patch");
            };
        }

        @Override
        public boolean comparesWithCurrent() {
            return true;
        }

        @Override
        public Verdict evaluate(String pushedTag, String currentTag) {
            SemanticVersion pushed = SemanticVersion.parse(pushedTag).orElse(null);
            if (pushed == null) {
                return Verdict.refuse("tag " + pushedTag + " is not a version; policy " + spec()
                        + " takes version tags only");
            }
            if (pushed.isPreRelease() && !preReleases) {
                return Verdict.refuse("tag " + pushedTag + " is a pre-release; policy " + spec()
                        + " does not take pre-releases (add +prerelease to take them)");
            }
            SemanticVersion current = SemanticVersion.parse(currentTag).orElse(null);
            if (current == null) {
                return Verdict.refuse("the running tag " + (currentTag == null ? "(none)" : currentTag)
                        + " is not a version, so policy " + spec() + " cannot tell whether " + pushedTag
                        + " is newer");
            }
            int order = pushed.compareTo(current);
            if (order == 0) {
                return Verdict.refuse("tag " + pushedTag + " is the version already running (" + currentTag + ")");
            }
            if (order < 0) {
                return Verdict.refuse("tag " + pushedTag + " is older than the running " + currentTag
                        + "; policy " + spec() + " never downgrades");
            }
            if (level != Level.MAJOR && !pushed.major().equals(current.major())) {
                return Verdict.refuse("tag " + pushedTag + " changes the major version of the running " + currentTag
                        + "; policy " + spec() + " keeps it");
            }
            if (level == Level.PATCH && !pushed.minor().equals(current.minor())) {
                return Verdict.refuse("tag " + pushedTag + " changes the minor version of the running " + currentTag
                        + "; policy " + spec() + " keeps it");
            }
            return Verdict.take("tag " + pushedTag + " is newer than the running " + currentTag + " within policy "
                    + spec());
        }

        @Override
        public String spec() {
            return "semver:" + level.name().toLowerCase(Locale.ROOT) + (preReleases ? "+prerelease" : "");
        }
    }

    /**
     * The whole tag matches a pattern of literal characters, {@code *} and {@code ?}; {@code compiled} is the same
     * pattern as a regular expression, made once by {@link #of}.
     */
    record Glob(String pattern, Pattern compiled) implements TagPolicy {

        static Glob of(String pattern) {
            StringBuilder regex = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                switch (c) {
                    case '*' -> regex.append(".*");
                    case '?' -> regex.append('.');
                    default -> regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return new Glob(pattern, Pattern.compile(regex.toString(), Pattern.DOTALL));
        }

        @Override
        public boolean comparesWithCurrent() {
            return false;
        }

        @Override
        public Verdict evaluate(String pushedTag, String currentTag) {
            return matches(pushedTag)
                    ? Verdict.take("tag " + pushedTag + " matches " + spec())
                    : Verdict.refuse("tag " + pushedTag + " does not match " + spec());
        }

        @Override
        public String spec() {
            return "glob:" + pattern;
        }

        boolean matches(String tag) {
            return tag != null && compiled.matcher(tag).matches();
        }

        // The compiled form follows from the pattern: two globs of one pattern are one policy.
        @Override
        public boolean equals(Object other) {
            return other instanceof Glob g && g.pattern.equals(pattern);
        }

        @Override
        public int hashCode() {
            return pattern.hashCode();
        }
    }

    /** The regular expression is found in the tag. */
    record Regexp(Pattern pattern) implements TagPolicy {

        @Override
        public boolean comparesWithCurrent() {
            return false;
        }

        @Override
        public Verdict evaluate(String pushedTag, String currentTag) {
            return pushedTag != null && pattern.matcher(pushedTag).find()
                    ? Verdict.take("tag " + pushedTag + " matches " + spec())
                    : Verdict.refuse("tag " + pushedTag + " does not match " + spec());
        }

        @Override
        public String spec() {
            return "regexp:" + pattern.pattern();
        }

        // Pattern has no value equality; two policies of the same expression are the same policy.
        @Override
        public boolean equals(Object other) {
            return other instanceof Regexp r && r.pattern.pattern().equals(pattern.pattern());
        }

        @Override
        public int hashCode() {
            return pattern.pattern().hashCode();
        }
    }
}
