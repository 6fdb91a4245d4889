package dev.winch.gateway.payload;

import java.util.regex.Pattern;

/**
 * The image reference grammar of the Docker distribution project ({@code distribution/reference}), the one place the
 * payload adapters check names: a repository a registry sends must be one the upgrader can pull, or the rollout
 * would fail far from the webhook that caused it.
 *
 * <pre>
 * repository     := [host '/'] path-component ('/' path-component)*
 * host           := domain-component ('.' domain-component)* [':' port]
 * path-component := [a-z0-9]+ (('.' | '_' | '__' | '-'+) [a-z0-9]+)*
 * tag            := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 * </pre>
 *
 * <p>As in Docker, the first component counts as a registry host only when it contains a {@code .} or a {@code :}
 * or is {@code localhost}; {@code team/app} is a Docker Hub repository, {@code registry.example.com:5000/team/app}
 * one on a private registry.
 */
public final class ImageNames {

    /** Docker's limit on the whole repository name, host included. */
    static final int MAX_REPOSITORY_LENGTH = 255;

    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN_COMPONENT = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");

    private ImageNames() {
    }

    /** A pullable repository, with or without a registry host: {@code team/app}, {@code quay.io/team/app}. */
    public static boolean isRepository(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_REPOSITORY_LENGTH) {
            return false;
        }
        int slash = name.indexOf('/');
        if (slash > 0 && looksLikeHost(name.substring(0, slash))) {
            return isRegistryHost(name.substring(0, slash)) && isPath(name.substring(slash + 1));
        }
        return isPath(name);
    }

    /** A repository path without host: one or more {@code /}-separated lower-case components. */
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

    /**
     * A registry host that Docker would read as one in front of a path: {@code registry.example.com},
     * {@code registry.example.com:5000}, {@code 10.0.0.7:5000}, {@code localhost}.
     */
    public static boolean isRegistryHost(String host) {
        if (host == null || !looksLikeHost(host)) {
            return false;
        }
        String domain = host;
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
            String port = host.substring(colon + 1);
            if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
                return false;
            }
            domain = host.substring(0, colon);
        }
        if (domain.isEmpty()) {
            return false;
        }
        for (String component : domain.split("\\.", -1)) {
            if (!DOMAIN_COMPONENT.matcher(component).matches()) {
                return false;
            }
        }
        return true;
    }

    public static boolean isTag(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }

    /** A content digest as registries send it: {@code sha256:} and 64 lower-case hex digits (or sha512). */
    public static boolean isDigest(String digest) {
        return digest != null && DIGEST.matcher(digest).matches();
    }

    /**
     * The digest, or null when it is not one. A digest is a hint (it lets the upgrader pin what was pushed); a
     * malformed one must not reach the upgrader, but neither is it a reason to drop the push.
     */
    static String digestOrNull(String digest) {
        return isDigest(digest) ? digest : null;
    }

    private static boolean looksLikeHost(String component) {
        return component.indexOf('.') >= 0 || component.indexOf(':') >= 0 || component.equals("localhost");
    }
}
