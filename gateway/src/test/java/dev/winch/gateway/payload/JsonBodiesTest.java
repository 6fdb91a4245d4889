package dev.winch.gateway.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a body can fail to be a JSON object is a field error on {@code $}, never an unchecked exception. */
class JsonBodiesTest {

    private static InvalidPayloadException refused(byte[] body) {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class,
                () -> JsonBodies.readObject(body));
        assertThat(e).as("expected the body to be refused").isNotNull();
        assertThat(e.errors()).extracting(FieldError::field).containsExactly("$");
        assertThat(e.errors().get(0).message()).isNotBlank();
        return e;
    }

    private static InvalidPayloadException refused(String body) {
        return refused(body.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String prefix, int... raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix.getBytes(StandardCharsets.UTF_8));
        for (int b : raw) {
            out.write(b);
        }
        out.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String nested(int depth) {
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    @Test
    void readsAnObject() throws Exception {
        assertThat(JsonBodies.readObject("{\"tag\":\"v1\",\"n\":[1,{\"x\":null}]}".getBytes(StandardCharsets.UTF_8))
                .path("tag").asText()).isEqualTo("v1");
    }

    @Test
    void refusesTenThousandLevelsOfNestingAsABadRequest() {
        assertThat(refused(nested(10_000)).getMessage()).contains("limits");
        assertThat(refused("[".repeat(10_000)).getMessage()).contains("limits");
    }

    @Test
    void acceptsNestingUpToTheLimitAndNotOneLevelMore() throws Exception {
        assertThat(JsonBodies.readObject(nested(JsonBodies.MAX_NESTING_DEPTH).getBytes(StandardCharsets.UTF_8)))
                .isNotNull();
        refused(nested(JsonBodies.MAX_NESTING_DEPTH + 1));
    }

    @Test
    void refusesNumbersAndNamesOverTheLimits() {
        refused("{\"n\":" + "9".repeat(JsonBodies.MAX_NUMBER_LENGTH + 1) + "}");
        refused("{\"" + "k".repeat(JsonBodies.MAX_NAME_LENGTH + 1) + "\":1}");
    }

    @Test
    void refusesInvalidUtf8EvenWhereJacksonAloneWouldAcceptIt() {
        refused(bytes("{\"tag\":\"", 0xC0, 0xAF));              // overlong '/'
        refused(bytes("{\"tag\":\"", 0xE0, 0x80, 0xAF));        // overlong, three bytes
        refused(bytes("{\"tag\":\"", 0xED, 0xA0, 0x80));        // an encoded UTF-16 surrogate
        refused(bytes("{\"tag\":\"", 0x80));                    // a lone continuation byte
        refused(bytes("{\"tag\":\"", 0xE2, 0x82));              // a truncated sequence
        refused(bytes("{\"tag\":\"", 0xFF));
        refused(bytes("{\"tag\":\"", 0xF4, 0x90, 0x80, 0x80));  // above U+10FFFF
        assertThat(refused(bytes("{\"tag\":\"", 0xFE)).errors().get(0).message()).isEqualTo("is not valid UTF-8");
    }

    @Test
    void refusesJsonInUtf16WhichJacksonWouldGuessFromZeroBytes() {
        refused("{\"tag\":\"v1\"}".getBytes(StandardCharsets.UTF_16LE));
        refused("{\"tag\":\"v1\"}".getBytes(StandardCharsets.UTF_16BE));
    }

    @Test
    void ignoresAByteOrderMark() throws Exception {
        byte[] body = bytes("\uFEFF{\"tag\":\"v1");
        assertThat(JsonBodies.readObject(body).path("tag").asText()).isEqualTo("v1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"a\":", "{\"a\":1", "{\"a\":1}}", "{\"a\":1} {}", "{\"a\":1}x", "{'a':1}",
        "{\"a\":\"\u0001\"}", "[]", "\"text\"", "42", "null", "true", "nul", "{\"a\":NaN}",
        "{\"a\":01}", "{\"a\":\"\\x41\"}", "{\"a\":\"\\ud800\"x}", "{\"a\" 1}", "\u0000{}"})
    void refusesWhatIsNotExactlyOneJsonObject(String body) {
        refused(body);
    }

    @Test
    void namesThePlaceOfASyntaxError() {
        assertThat(refused("{\n\"a\": x}").errors().get(0).message()).contains("line 2");
    }

    @Test
    void seesControlCharacters() {
        assertThat(JsonBodies.hasControlCharacter("latest\u0000")).isTrue();
        assertThat(JsonBodies.hasControlCharacter("lat\u007Fest")).isTrue();
        assertThat(JsonBodies.hasControlCharacter("\u0085")).isTrue();
        assertThat(JsonBodies.hasControlCharacter("latest é")).isFalse();
    }
}
