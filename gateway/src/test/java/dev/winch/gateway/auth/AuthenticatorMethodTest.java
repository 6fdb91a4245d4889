package dev.winch.gateway.auth;

import static dev.winch.gateway.auth.AuthenticatorTest.receiver;
import static dev.winch.gateway.auth.AuthenticatorTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a request was admitted, as the delivery history shows it: the checks, never the credentials. */
class AuthenticatorMethodTest {

    private static final String TOKEN = "method-token-1";

    @Test
    void namesWhereTheTokenWas() {
        var receiver = receiver(Tokens.sha256(TOKEN), null, List.of());

        assertThat(Authenticator.method(receiver, request(Map.of("token", TOKEN), Map.of(), "", "10.0.0.1")))
                .isEqualTo("token-query");
        assertThat(Authenticator.method(receiver, request(Map.of(), Map.of("X-Winch-Token", TOKEN), "", "10.0.0.1")))
                .isEqualTo("token-header");
        assertThat(Authenticator.method(receiver, request(Map.of(), Map.of("Authorization", "Bearer " + TOKEN), "",
                "10.0.0.1"))).isEqualTo("token-bearer");
    }

    @Test
    void joinsEveryCheckThatApplied() {
        var receiver = receiver(Tokens.sha256(TOKEN), "hmac-secret-1", List.of("10.0.0.0/8"));

        String method = Authenticator.method(receiver, request(Map.of("token", TOKEN), Map.of(), "", "10.0.0.1"));

        assertThat(method).isEqualTo("token-query+hmac+cidr").doesNotContain(TOKEN);
    }
}
