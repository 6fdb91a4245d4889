package dev.winch.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.receiver.Receiver;
import dev.winch.gateway.receiver.ReceiverSpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {

    private static final String TOKEN = "s3cret-token-123";
    private static final String HMAC_SECRET = "hmac-secret-456";
    private static final String BODY = "{\"push_data\":{\"tag\":\"latest\"}}";
    private static final String SENDER = "203.0.113.7";

    static Receiver receiver(String tokenSha256, String hmacSecret, List<String> cidrs) {
        ReceiverSpec spec = new ReceiverSpec("r1", null, ReceiverSpec.Kind.REDEPLOY,
                new ReceiverSpec.Auth(tokenSha256, hmacSecret, cidrs, null), null, null, null,
                new ReceiverSpec.Redeploy(null, null, null, null), null, "api", null, null);
        return new Receiver(spec, new ReceiverSpec.RateLimit(10, 20), Clock.systemUTC());
    }

    static HookRequest request(Map<String, String> query, Map<String, String> headers, String body, String remote) {
        return new HookRequest(query, headers, body.getBytes(StandardCharsets.UTF_8), remote);
    }

    static boolean permits(Receiver receiver, HookRequest request) {
        return Authenticator.permits(receiver, request, null);
    }

    static String signature(String secret, String body) {
        return "sha256=" + HexFormat.of().formatHex(Digests.hmac(Digests.HMAC_SHA256, secret,
                body.getBytes(StandardCharsets.UTF_8)));
    }

    @Nested
    class Token {

        private final Receiver receiver = receiver(Tokens.sha256(TOKEN), null, List.of());

        @Test
        void acceptsTheTokenInTheQuery() {
            assertThat(permits(receiver, request(Map.of("token", TOKEN), Map.of(), BODY, SENDER))).isTrue();
        }

        @Test
        void acceptsTheTokenInTheWinchHeader() {
            assertThat(permits(receiver, request(Map.of(), Map.of("X-Winch-Token", TOKEN), BODY, SENDER))).isTrue();
        }

        @Test
        void acceptsTheTokenAsABearerToken() {
            assertThat(permits(receiver, request(Map.of(), Map.of("Authorization", "Bearer " + TOKEN), BODY,
                    SENDER))).isTrue();
            assertThat(permits(receiver, request(Map.of(), Map.of("authorization", "bearer " + TOKEN), BODY,
                    SENDER))).as("the scheme is case-insensitive").isTrue();
        }

        @Test
        void refusesAWrongOrMissingToken() {
            assertThat(permits(receiver, request(Map.of("token", TOKEN + "x"), Map.of(), BODY, SENDER))).isFalse();
            assertThat(permits(receiver, request(Map.of(), Map.of("X-Winch-Token", "nope-nope"), BODY, SENDER)))
                    .isFalse();
            assertThat(permits(receiver, request(Map.of(), Map.of("Authorization", "Basic " + TOKEN), BODY, SENDER)))
                    .isFalse();
            assertThat(permits(receiver, request(Map.of(), Map.of(), BODY, SENDER))).isFalse();
        }

        @Test
        void refusesAReceiverWithoutAnyCredential() {
            Receiver open = receiver(null, null, List.of());

            assertThat(permits(open, request(Map.of("token", TOKEN), Map.of(), BODY, SENDER))).isFalse();
        }
    }

    @Nested
    class Hmac {

        private final Receiver receiver = receiver(null, HMAC_SECRET, List.of());

        @Test
        void acceptsAValidGitHubStyleSignature() {
            assertThat(permits(receiver, request(Map.of(),
                    Map.of("X-Hub-Signature-256", signature(HMAC_SECRET, BODY)), BODY, SENDER))).isTrue();
        }

        @Test
        void acceptsAValidSignatureInXSignatureAndInUpperCaseHex() {
            assertThat(permits(receiver, request(Map.of(),
                    Map.of("X-Signature", signature(HMAC_SECRET, BODY)), BODY, SENDER))).isTrue();
            String upper = "sha256=" + signature(HMAC_SECRET, BODY).substring(7).toUpperCase();
            assertThat(permits(receiver, request(Map.of(), Map.of("X-Hub-Signature-256", upper), BODY, SENDER)))
                    .isTrue();
        }

        @Test
        void refusesASignatureMadeWithAnotherSecret() {
            assertThat(permits(receiver, request(Map.of(),
                    Map.of("X-Hub-Signature-256", signature("another-secret", BODY)), BODY, SENDER))).isFalse();
        }

        @Test
        void refusesASignatureOfAnotherBody() {
            assertThat(permits(receiver, request(Map.of(),
                    Map.of("X-Hub-Signature-256", signature(HMAC_SECRET, BODY)), BODY + " ", SENDER))).isFalse();
        }

        @Test
        void refusesAMissingOrMalformedSignature() {
            assertThat(permits(receiver, request(Map.of(), Map.of(), BODY, SENDER))).isFalse();
            assertThat(permits(receiver, request(Map.of(), Map.of("X-Hub-Signature-256", "sha256=not-hex"), BODY,
                    SENDER))).isFalse();
        }

        @Test
        void needsBothWhenTokenAndSecretAreConfigured() {
            Receiver both = receiver(Tokens.sha256(TOKEN), HMAC_SECRET, List.of());
            Map<String, String> signed = Map.of("X-Hub-Signature-256", signature(HMAC_SECRET, BODY));

            assertThat(permits(both, request(Map.of("token", TOKEN), signed, BODY, SENDER))).isTrue();
            assertThat(permits(both, request(Map.of(), signed, BODY, SENDER))).isFalse();
            assertThat(permits(both, request(Map.of("token", TOKEN), Map.of(), BODY, SENDER))).isFalse();
        }
    }

    @Nested
    class AllowedAddresses {

        private final Receiver receiver = receiver(Tokens.sha256(TOKEN), null,
                List.of("10.0.0.0/8", "2001:db8::/32"));

        private HookRequest from(String remote) {
            Map<String, String> query = new HashMap<>();
            query.put("token", TOKEN);
            return request(query, Map.of(), BODY, remote);
        }

        @Test
        void acceptsASenderInsideAnAllowedBlock() {
            assertThat(permits(receiver, from("10.42.0.7"))).isTrue();
            assertThat(permits(receiver, from("2001:db8:0:1::5"))).isTrue();
        }

        @Test
        void refusesASenderOutsideEveryAllowedBlockEvenWithTheRightToken() {
            assertThat(permits(receiver, from("192.168.1.10"))).isFalse();
            assertThat(permits(receiver, from("2001:db9::1"))).isFalse();
            assertThat(permits(receiver, from(""))).isFalse();
        }
    }
}
