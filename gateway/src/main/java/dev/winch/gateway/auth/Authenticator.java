package dev.winch.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.gateway.hooks.TriggerRule;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.receiver.Receiver;
import dev.winch.gateway.receiver.ReceiverSpec;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a request may trigger a receiver. Every configured check must pass: the token, the HMAC
 * signature of the raw body, the sender's address; or, for receivers of a hooks file, their trigger rule.
 */
public final class Authenticator {

    private static final List<String> SIGNATURE_HEADERS = List.of("X-Hub-Signature-256", "X-Signature");

    private Authenticator() {
    }

    /** @param payload the parsed body, or null (a trigger rule decodes the body itself, as the tool does) */
    public static boolean permits(Receiver receiver, HookRequest request, JsonNode payload) {
        ReceiverSpec.Auth auth = receiver.spec().auth();
        if (auth == null) {
            return false;
        }
        if (receiver.triggerRule() != null) {
            // the rule reads the payload as the tool does (Content-Type, first JSON value), not as parsed here
            return receiver.triggerRule().evaluate(request) == TriggerRule.Verdict.MATCHED;
        }
        if (auth.tokenSha256() == null && auth.hmacSecret() == null) {
            return false;
        }
        if (auth.tokenSha256() != null && !Tokens.matches(auth.tokenSha256(), presentedToken(request).orElse(null))) {
            return false;
        }
        if (auth.hmacSecret() != null && !signed(auth.hmacSecret(), request)) {
            return false;
        }
        return receiver.allowed().isEmpty()
                || receiver.allowed().stream().anyMatch(cidr -> cidr.contains(request.remoteAddress()));
    }

    /**
     * How a request that {@link #permits} was admitted, for the delivery history: {@code trigger-rule}, or the
     * checks that passed joined by {@code +}: {@code token-query}, {@code token-header} or {@code token-bearer} (where
     * the token was), {@code hmac}, {@code cidr}. Never the token or signature itself.
     */
    public static String method(Receiver receiver, HookRequest request) {
        if (receiver.triggerRule() != null) {
            return "trigger-rule";
        }
        ReceiverSpec.Auth auth = receiver.spec().auth();
        List<String> checks = new java.util.ArrayList<>(3);
        if (auth != null && auth.tokenSha256() != null) {
            if (request.queryParam("token").isPresent()) {
                checks.add("token-query");
            } else if (request.header("X-Winch-Token").isPresent()) {
                checks.add("token-header");
            } else {
                checks.add("token-bearer");
            }
        }
        if (auth != null && auth.hmacSecret() != null) {
            checks.add("hmac");
        }
        if (!receiver.allowed().isEmpty()) {
            checks.add("cidr");
        }
        return String.join("+", checks);
    }

    /** The token from {@code ?token=}, {@code X-Winch-Token} or {@code Authorization: Bearer}. */
    static Optional<String> presentedToken(HookRequest request) {
        Optional<String> query = request.queryParam("token");
        if (query.isPresent()) {
            return query;
        }
        Optional<String> header = request.header("X-Winch-Token");
        if (header.isPresent()) {
            return header;
        }
        return request.header("Authorization")
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim());
    }

    private static boolean signed(String secret, HookRequest request) {
        Optional<String> signature = request.firstHeader(SIGNATURE_HEADERS);
        if (signature.isEmpty()) {
            return false;
        }
        String given = signature.get().trim();
        if (given.regionMatches(true, 0, "sha256=", 0, 7)) {
            given = given.substring(7);
        }
        byte[] expected = Digests.hmac(Digests.HMAC_SHA256, secret, request.body());
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(given.toLowerCase());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return Digests.equal(expected, presented);
    }
}
