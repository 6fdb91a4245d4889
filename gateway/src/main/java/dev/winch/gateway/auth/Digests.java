package dev.winch.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SHA-256, HMAC and constant-time comparison for receiver tokens, body signatures and hooks-file signature rules:
 * one place that names the JDK algorithms and turns their checked exceptions into the impossible case they are.
 */
public final class Digests {

    public static final String HMAC_SHA256 = "HmacSHA256";

    private Digests() {
    }

    /** A key for {@link #hmac}, built once where the secret is configured rather than on every request. */
    public static SecretKeySpec hmacKey(String algorithm, String secret) {
        return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm);
    }

    /** The HMAC of {@code body}; {@code algorithm} is a JDK name such as {@code HmacSHA256} or {@code HmacSHA1}. */
    public static byte[] hmac(String algorithm, SecretKeySpec key, byte[] body) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(key);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }

    public static byte[] hmac(String algorithm, String secret, byte[] body) {
        return hmac(algorithm, hmacKey(algorithm, secret), body);
    }

    /**
     * One SHA-256 instance per thread: looking the algorithm up among the security providers cost three times the
     * hashing of a token itself, on every request. {@code digest} leaves the instance reset for the next use.
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    });

    public static byte[] sha256(byte[] bytes) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return digest.digest(bytes);
    }

    /** The SHA-256 of a text's UTF-8 bytes, in lower-case hex: how receiver tokens are stored. */
    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether two byte strings are equal; the time taken does not depend on where they differ. */
    public static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /**
     * Whether two texts are equal, comparing their SHA-256 digests so that neither where they differ nor the
     * expected length shows in the time taken.
     */
    public static boolean equalTexts(String actual, String expected) {
        return equal(sha256(actual.getBytes(StandardCharsets.UTF_8)),
                sha256(expected.getBytes(StandardCharsets.UTF_8)));
    }
}
