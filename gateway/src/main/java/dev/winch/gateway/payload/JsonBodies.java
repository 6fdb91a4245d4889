package dev.winch.gateway.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads a request body as JSON, strictly: every failure is an {@link InvalidPayloadException} naming {@code $}, never
 * a runtime exception, so a hostile body gets a 400 and not a 500.
 *
 * <ul>
 *   <li>The bytes must be UTF-8 (RFC 8259 §8.1), checked before parsing with a decoder that reports, not replaces,
 *       malformed input: Jackson alone lets overlong forms and encoded surrogates through, and guesses UTF-16 or
 *       UTF-32 from zero bytes. A leading byte order mark is ignored, as RFC 8259 allows.</li>
 *   <li>Explicit limits ({@link StreamReadConstraints}): nesting at most {@value #MAX_NESTING_DEPTH} levels (no
 *       webhook payload nests deeper than about 6; 10,000 levels would only cost stack and time), numbers at most
 *       {@value #MAX_NUMBER_LENGTH} characters, strings at most {@value #MAX_STRING_LENGTH} characters, field names at
 *       most {@value #MAX_NAME_LENGTH} characters.</li>
 *   <li>Nothing may follow the value.</li>
 * </ul>
 *
 * <p>A repeated field name is not refused: the last one counts, for the trigger rule and the payload adapter alike
 * (they read the same tree). Jackson's duplicate detection would cost about 1.5 µs on a 660-byte Docker Hub push, a
 * half more than the parse itself, on every request.
 */
public final class JsonBodies {

    public static final int MAX_NESTING_DEPTH = 64;
    public static final int MAX_NUMBER_LENGTH = 100;
    public static final int MAX_STRING_LENGTH = 1 << 20;
    public static final int MAX_NAME_LENGTH = 1024;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .maxNameLength(MAX_NAME_LENGTH)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonBodies() {
    }

    /**
     * The body as a JSON object.
     *
     * @throws InvalidPayloadException when it is not UTF-8, not JSON, over a limit, or not an object
     */
    public static JsonNode readObject(byte[] body) throws InvalidPayloadException {
        checkUtf8(body);
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (StreamConstraintsException e) {
            throw invalid("the body is over the gateway's JSON limits", "exceeds a limit: at most "
                    + MAX_NESTING_DEPTH + " levels of nesting, " + MAX_STRING_LENGTH + " characters in a string, "
                    + MAX_NUMBER_LENGTH + " in a number, " + MAX_NAME_LENGTH + " in a field name");
        } catch (JsonProcessingException e) {
            throw invalid("the body is not valid JSON", "malformed JSON" + where(e.getLocation()) + ": "
                    + e.getOriginalMessage());
        } catch (IOException | RuntimeException e) {
            // Nothing else should escape a parse from memory; if it does, it is still the body's fault.
            throw invalid("the body is not valid JSON", "malformed JSON");
        }
        if (node == null || !node.isObject()) {
            throw invalid("the body must be a JSON object", "is not a JSON object");
        }
        return node;
    }

    /** Only JSON whitespace: the empty body of a plain POST, as Rancher 1.x receivers were triggered. */
    public static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a value holds a C0 or C1 control character (NUL, TAB, LF, DEL...): never part of a name, a tag or an
     * identifier, and refused rather than trimmed away.
     */
    public static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * UTF-8 and no NUL byte, before Jackson sees the bytes. A raw NUL is never part of JSON text in UTF-8 (outside a
     * string it is not whitespace, inside one it must be escaped), and refusing it first keeps Jackson from reading
     * zero bytes as the mark of UTF-16 or UTF-32. Bodies are nearly always ASCII: only the others are decoded.
     */
    private static void checkUtf8(byte[] body) throws InvalidPayloadException {
        boolean ascii = true;
        for (byte b : body) {
            if (b == 0) {
                throw invalid("the body is not valid JSON", "has a NUL byte");
            }
            ascii &= b > 0;
        }
        if (ascii) {
            return;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw invalid("the body is not valid UTF-8", "is not valid UTF-8");
        }
    }

    private static String where(JsonLocation location) {
        // Some parse errors (limits, end of input) carry no location.
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static InvalidPayloadException invalid(String message, String detail) {
        return new InvalidPayloadException(message, List.of(new FieldError("$", detail)));
    }
}
