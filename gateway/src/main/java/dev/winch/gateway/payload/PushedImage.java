package dev.winch.gateway.payload;

import dev.winch.common.image.ImageReference;
import java.util.Locale;

/**
 * What every registry adapter reads out of its payload: one pushed image.
 *
 * @param repository the repository as a pull reference without tag, e.g. {@code hongxiaolu/iperf3}
 * @param digest     {@code sha256:...} (or sha384, sha512) when the registry sent one, else null
 * @param pusher     who pushed, when known
 * @param format     the adapter that read it
 * @param deliveryId an id the registry gives this delivery, so a retried delivery maps to the same event id;
 *                   null when the payload has none
 */
public record PushedImage(String repository, String tag, String digest, String pusher, String format,
        String deliveryId) {

    /**
     * Whether a registry's name for what was pushed is a repository: Docker's grammar ({@link ImageReference}), with
     * one rule of webhooks on top. Docker reads an upper-case first component ({@code Team/app}) as a registry host,
     * because a path is never upper case; a registry naming its own repository never writes a host that way, so in a
     * push notification it is a mangled name, and refused, not sent on as a push to a registry called "team".
     */
    static boolean isRepository(String name) {
        return ImageReference.isRepository(name) && !upperCaseHost(name);
    }

    /** A registry host as a payload names it apart from the path: Docker's reading, upper case alone not a host. */
    static boolean isRegistryHost(String host) {
        return ImageReference.isRegistryHost(host) && !upperCaseHost(host + "/x");
    }

    private static boolean upperCaseHost(String name) {
        int slash = name.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String first = name.substring(0, slash);
        return first.indexOf('.') < 0 && first.indexOf(':') < 0 && !first.equals("localhost")
                && !first.equals(first.toLowerCase(Locale.ROOT));
    }

    /**
     * The digest, or null when it is not one. A digest is a hint (it lets the upgrader pin what was pushed); a
     * malformed one must not reach the upgrader, but neither is it a reason to drop the push.
     */
    static String digestOrNull(String digest) {
        return ImageReference.isDigest(digest) ? digest : null;
    }
}
