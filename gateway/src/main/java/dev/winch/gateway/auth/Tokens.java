package dev.winch.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Receiver tokens: generated at random, stored as SHA-256, compared in constant time. */
public final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** A new token: 24 random bytes, hex. */
    public static String generate() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static String sha256(String token) {
        return Digests.sha256Hex(token);
    }

    /** Whether {@code presented} hashes to {@code expectedSha256}; the time taken does not depend on where they differ. */
    public static boolean matches(String expectedSha256, String presented) {
        if (expectedSha256 == null || presented == null) {
            return false;
        }
        return Digests.equal(expectedSha256.getBytes(StandardCharsets.US_ASCII),
                sha256(presented).getBytes(StandardCharsets.US_ASCII));
    }
}
