package dev.winch.common.image;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A container image reference, parsed with the grammar of the Docker distribution project
 * ({@code distribution/reference}) and normalized the way Docker and Kubernetes resolve it, so two spellings of one
 * repository compare equal: {@code nginx}, {@code library/nginx}, {@code docker.io/library/nginx} and
 * {@code index.docker.io/library/nginx} are the same repository; {@code registry.example.com:5000/app} and
 * {@code registry.example.com/app} are not (the port is part of the registry's address).
 *
 * <pre>
 * reference      := name [':' tag] ['@' digest]
 * name           := [domain '/'] path-component ('/' path-component)*
 * domain         := host [':' port]       (the first component, when it has a '.' or a ':', is "localhost",
 *                                           or has an upper-case letter)
 * path-component := [a-z0-9]+ (('.' | '_' | '__' | '-'+) [a-z0-9]+)*
 * tag            := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 * digest         := algorithm ':' hex      (sha256: 64 lower-case hex digits, sha384: 96, sha512: 128)
 * </pre>
 *
 * <p>Where the grammar's regular expressions and Docker's parser differ, this follows the parser, as {@code docker
 * pull} does: a digest's algorithm must be one {@code go-digest} supports (the grammar alone would take any
 * {@code name:} and 32 hex digits), and the first component of a name is a registry exactly when Docker's
 * {@code splitDockerDomain} says so: it has a {@code .} or a {@code :}, is {@code localhost}, or has an upper-case
 * letter ({@code Team/app} is the repository {@code app} on the registry {@code team}; path components are never
 * upper case). Every part of Winch reads image names with this class, the gateway's webhook checks included.
 *
 * <p>The reference keeps the repository as it was written ({@link #name()}), so an image can be changed to a new
 * tag without rewriting how its owner spelled the repository: {@code nginx:1.25} becomes {@code nginx:1.26}, not
 * {@code docker.io/library/nginx:1.26}.
 *
 * @param name   the repository as written, e.g. {@code nginx} or {@code registry.example.com:5000/team/app}
 * @param domain the registry, lower case, with its port; {@code docker.io} when none is written
 * @param path   the repository path in that registry; {@code library/} is prefixed to a one-component Docker Hub
 *               path, as Docker does
 * @param tag    the tag, or null when none is written (a reference with neither tag nor digest means
 *               {@code latest}; see {@link #effectiveTag()})
 * @param digest the digest ({@code sha256:...}), or null
 */
public record ImageReference(String name, String domain, String path, String tag, String digest) {

    /** Where Docker resolves a repository written without a registry. */
    public static final String DOCKER_HUB = "docker.io";
    /** Docker's limit on the whole repository name, registry included. */
    public static final int MAX_NAME_LENGTH = 255;

    private static final String LEGACY_DOCKER_HUB = "index.docker.io";
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN_COMPONENT = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]+]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");
    private static final int CANONICAL_CACHE_SIZE = 4096;
    private static final Map<String, String> CANONICAL = new ConcurrentHashMap<>();
    /** Repository names found valid, remembered as {@link #CANONICAL} is: a gateway checks the same few over and over. */
    private static final Map<String, Boolean> REPOSITORIES = new ConcurrentHashMap<>();

    public ImageReference {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(path, "path");
    }

    /**
     * Parses a full reference ({@code name[:tag][@digest]}).
     *
     * @throws IllegalArgumentException with a message that says what is wrong, fit for a result's reason
     */
    public static ImageReference parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("an image reference must not be empty");
        }
        if (!reference.equals(reference.strip())) {
            throw new IllegalArgumentException("image reference '" + reference + "' has surrounding whitespace");
        }
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            checkDigest(reference, digest);
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!isTag(tag)) {
                throw new IllegalArgumentException("image reference '" + reference + "' has an invalid tag '" + tag
                        + "'");
            }
        }
        return name(reference, rest, tag, digest);
    }

    /** As {@link #parse(String)}, empty instead of an exception. */
    public static Optional<ImageReference> tryParse(String reference) {
        try {
            return Optional.of(parse(reference));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Parses a repository name without tag or digest, as registries name what was pushed
     * ({@code hongxiaolu/iperf3}, {@code registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook}).
     *
     * @throws IllegalArgumentException when it is not a repository name, or carries a tag or digest
     */
    public static ImageReference parseRepository(String repository) {
        ImageReference parsed = parse(repository);
        if (parsed.tag() != null || parsed.digest() != null) {
            throw new IllegalArgumentException("'" + repository + "' is an image reference with a tag or digest, "
                    + "not a repository name");
        }
        return parsed;
    }

    /** Whether this is a valid digest: {@code sha256:} and 64 lower-case hex digits, or sha384 (96) or sha512 (128). */
    public static boolean isDigest(String digest) {
        try {
            checkDigest(digest, digest);
            return true;
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    /**
     * Whether this is a repository path without registry: one or more {@code /}-separated path components
     * ({@code team/app}, {@code rancher_cn/webhook}), as a registry names a repository inside itself.
     */
    public static boolean isPath(String path) {
        if (path == null || path.isEmpty()) {
            return false;
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                return false;
            }
        }
        return true;
    }

    public static boolean isTag(String tag) {
        // The grammar's [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, checked by hand: every accepted push is checked, and the
        // regular expression was a third of reading a Docker Hub payload (ImageReferenceGrammarTest compares the two).
        if (tag == null || tag.isEmpty() || tag.length() > 128) {
            return false;
        }
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            boolean word = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
            if (!word && (i == 0 || c != '.' && c != '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether this is a repository name without tag or digest, with or without a registry: {@code team/app},
     * {@code quay.io/team/app}, {@code localhost:5000/app}.
     */
    public static boolean isRepository(String name) {
        if (name == null) {
            return false;
        }
        if (REPOSITORIES.containsKey(name)) {
            return true;
        }
        boolean valid = tryParse(name).filter(ref -> ref.tag() == null && ref.digest() == null).isPresent();
        if (valid && REPOSITORIES.size() < CANONICAL_CACHE_SIZE) {
            REPOSITORIES.put(name, Boolean.TRUE);
        }
        return valid;
    }

    /**
     * Whether this is a registry that Docker reads as one when written in front of a path:
     * {@code registry.example.com}, {@code registry.example.com:5000}, {@code 10.0.0.7:5000}, {@code localhost};
     * not {@code registry}, which in front of a path is a Docker Hub user.
     */
    public static boolean isRegistryHost(String host) {
        return host != null && !host.isEmpty() && looksLikeDomain(host) && host.indexOf('/') < 0
                && host.indexOf('@') < 0 && tryParse(host + "/x").isPresent();
    }

    /**
     * {@link #canonicalRepository()} of a repository as a registry names it, or the name unchanged when it is not
     * a valid reference. Remembered for the first {@value #CANONICAL_CACHE_SIZE} names: events are keyed by it, and
     * a gateway sees the same few repositories over and over.
     */
    public static String canonicalRepositoryOf(String repository) {
        String canonical = CANONICAL.get(repository);
        if (canonical == null) {
            canonical = tryParse(repository).map(ImageReference::canonicalRepository).orElse(repository);
            if (CANONICAL.size() < CANONICAL_CACHE_SIZE) {
                CANONICAL.put(repository, canonical);
            }
        }
        return canonical;
    }

    /** {@code domain/path}: the repository in the one spelling used to compare and to key by. */
    public String canonicalRepository() {
        return domain + "/" + path;
    }

    /**
     * Docker's short form of the repository: {@code nginx} for {@code docker.io/library/nginx},
     * {@code team/app} for {@code docker.io/team/app}, unchanged elsewhere.
     */
    public String familiarRepository() {
        if (!domain.equals(DOCKER_HUB)) {
            return canonicalRepository();
        }
        return path.startsWith("library/") && path.indexOf('/', "library/".length()) < 0
                ? path.substring("library/".length()) : path;
    }

    /** Whether both name the same repository, whatever the spelling, tag or digest. */
    public boolean sameRepository(ImageReference other) {
        return other != null && domain.equals(other.domain) && path.equals(other.path);
    }

    /** The tag a runtime pulls: the written tag, {@code latest} when neither tag nor digest is written, else null. */
    public String effectiveTag() {
        if (tag != null) {
            return tag;
        }
        return digest == null ? "latest" : null;
    }

    /** The same repository, as written, with {@code tag} and {@code digest} (either may be null). */
    public ImageReference with(String newTag, String newDigest) {
        if (newTag != null && !isTag(newTag)) {
            throw new IllegalArgumentException("'" + newTag + "' is not a valid image tag");
        }
        if (newDigest != null) {
            checkDigest(newDigest, newDigest);
        }
        return new ImageReference(name, domain, path, newTag, newDigest);
    }

    /** The reference as written: {@code name[:tag][@digest]}. */
    @Override
    public String toString() {
        return name + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    private static ImageReference name(String reference, String name, String tag, String digest) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("image reference '" + reference + "' has no repository name");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("image reference '" + abbreviate(reference)
                    + "' has a repository name longer than " + MAX_NAME_LENGTH + " characters");
        }
        String domain = DOCKER_HUB;
        String path = name;
        int slash = name.indexOf('/');
        if (slash > 0 && looksLikeDomain(name.substring(0, slash))) {
            domain = name.substring(0, slash);
            path = name.substring(slash + 1);
            checkDomain(reference, domain);
            domain = domain.toLowerCase(Locale.ROOT);
            if (domain.equals(LEGACY_DOCKER_HUB)) {
                domain = DOCKER_HUB;
            }
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("image reference '" + reference + "' has an invalid repository "
                        + "path component '" + component + "' (lower-case letters, digits and . _ - separators)");
            }
        }
        if (domain.equals(DOCKER_HUB) && path.indexOf('/') < 0) {
            path = "library/" + path;
        }
        return new ImageReference(name, domain, path, tag, digest);
    }

    private static boolean looksLikeDomain(String component) {
        return component.indexOf('.') >= 0 || component.indexOf(':') >= 0 || component.equals("localhost")
                || !component.toLowerCase(Locale.ROOT).equals(component);
    }

    private static void checkDomain(String reference, String domain) {
        String host = domain;
        int colon = domain.lastIndexOf(':');
        if (colon >= 0 && !(domain.startsWith("[") && domain.endsWith("]"))) {
            String port = domain.substring(colon + 1);
            if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("image reference '" + reference + "' has an invalid registry port '"
                        + port + "'");
            }
            host = domain.substring(0, colon);
        }
        if (IPV6.matcher(host).matches()) {
            return;
        }
        boolean valid = !host.isEmpty();
        for (String component : host.split("\\.", -1)) {
            valid &= DOMAIN_COMPONENT.matcher(component).matches();
        }
        if (!valid) {
            throw new IllegalArgumentException("image reference '" + reference + "' has an invalid registry host '"
                    + domain + "'");
        }
    }

    private static void checkDigest(String reference, String digest) {
        int colon = digest.indexOf(':');
        String algorithm = colon < 0 ? "" : digest.substring(0, colon);
        String hex = colon < 0 ? "" : digest.substring(colon + 1);
        int expected = switch (algorithm) {
            case "sha256" -> 64;
            case "sha384" -> 96;
            case "sha512" -> 128;
            default -> -1;
        };
        boolean valid = expected > 0 && HEX.matcher(hex).matches() && hex.length() == expected;
        if (!valid) {
            throw new IllegalArgumentException("image reference '" + reference + "' has an invalid digest '" + digest
                    + "' (expected e.g. sha256: and 64 lower-case hex digits)");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
