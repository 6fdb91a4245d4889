package dev.winch.gateway.payload;

import dev.winch.common.image.ImageReference;
import java.util.regex.Pattern;

/**
 * How the payload adapters check the names a registry sends: with the grammar of the Docker distribution project as
 * {@link ImageReference} implements it, so the gateway accepts exactly the repositories and tags the upgrader can
 * parse and pull. A repository a registry sends must be one the upgrader can pull, or the rollout would fail far
 * from the webhook that caused it.
 *
 * <p>Two rules here are stricter than Docker's, because a webhook names what was just pushed: the first component
 * counts as a registry host only when it contains a {@code .} or a {@code :} or is {@code localhost} (Docker also
 * reads an upper-case first component such as {@code Team/app} as a host, which no registry sends), and a digest
 * must be {@code sha256} or {@code sha512}, the ones registries compute.
 */
public final class ImageNames {

    /** Docker's limit on the whole repository name, host included. */
    static final int MAX_REPOSITORY_LENGTH = ImageReference.MAX_NAME_LENGTH;

    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");

    private ImageNames() {
    }

    /** A pullable repository, with or without a registry host: {@code team/app}, {@code quay.io/team/app}. */
    public static boolean isRepository(String name) {
        if (name == null) {
            return false;
        }
        int slash = name.indexOf('/');
        if (slash > 0 && !looksLikeHost(name.substring(0, slash)) && !isPath(name.substring(0, slash))) {
            return false;
        }
        return ImageReference.tryParse(name).filter(ref -> ref.tag() == null && ref.digest() == null).isPresent();
    }

    /** A repository path without host: one or more {@code /}-separated lower-case components. */
    public static boolean isPath(String path) {
        return ImageReference.isPath(path);
    }

    /**
     * A registry host that Docker would read as one in front of a path: {@code registry.example.com},
     * {@code registry.example.com:5000}, {@code 10.0.0.7:5000}, {@code localhost}.
     */
    public static boolean isRegistryHost(String host) {
        if (host == null || !looksLikeHost(host) || host.indexOf('/') >= 0 || host.indexOf('@') >= 0) {
            return false;
        }
        // A component that looks like a host is read as the registry: parsing it in front of a path checks it.
        return ImageReference.tryParse(host + "/x").isPresent();
    }

    public static boolean isTag(String tag) {
        return ImageReference.isTag(tag);
    }

    /** A content digest as registries send it: {@code sha256:} and 64 lower-case hex digits (or sha512). */
    public static boolean isDigest(String digest) {
        return digest != null && DIGEST.matcher(digest).matches() && ImageReference.isDigest(digest);
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
