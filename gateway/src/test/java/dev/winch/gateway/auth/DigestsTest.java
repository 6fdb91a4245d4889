package dev.winch.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DigestsTest {

    private static final byte[] RFC_4231_DATA = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);

    @Test
    void hmacMatchesThePublishedTestVectors() {
        // RFC 4231 test case 2 (SHA-256) and RFC 2202 test case 2 (SHA-1): the algorithms hooks files name
        assertThat(HexFormat.of().formatHex(Digests.hmac("HmacSHA256", "Jefe", RFC_4231_DATA)))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assertThat(HexFormat.of().formatHex(Digests.hmac("HmacSHA1", "Jefe", RFC_4231_DATA)))
                .isEqualTo("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }

    @Test
    void tokensAreStoredAsTheSha256OfTheirText() {
        assertThat(Digests.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Tokens.matches(Digests.sha256Hex("abc"), "abc")).isTrue();
        assertThat(Tokens.matches(Digests.sha256Hex("abc"), "abd")).isFalse();
    }

    @Test
    void textsCompareEqualOnlyWhenIdentical() {
        assertThat(Digests.equalTexts("secret", "secret")).isTrue();
        assertThat(Digests.equalTexts("secret", "secret ")).isFalse();
        assertThat(Digests.equalTexts("", "secret")).isFalse();
    }
}
