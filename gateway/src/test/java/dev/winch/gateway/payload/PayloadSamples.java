package dev.winch.gateway.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The sample payloads of src/test/resources/payloads and small helpers around them. */
final class PayloadSamples {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HookRequest NO_QUERY = request(Map.of());

    private PayloadSamples() {
    }

    /** A fresh, mutable copy of a sample, so a test can break it. */
    static ObjectNode sample(String name) {
        try (InputStream in = PayloadSamples.class.getResourceAsStream("/payloads/" + name)) {
            assertThat(in).as("sample %s", name).isNotNull();
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HookRequest request(Map<String, String> query) {
        return new HookRequest(query, Map.of("Content-Type", "application/json"), null, "192.0.2.10");
    }

    /** The field paths of the InvalidPayloadException that {@code call} throws. */
    static List<String> rejectedFields(ThrowingCallable call) {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class, call);
        assertThat(e).as("expected an InvalidPayloadException").isNotNull();
        assertThat(e.errors()).as("errors of '%s'", e.getMessage()).isNotEmpty();
        return e.errors().stream().map(FieldError::field).toList();
    }

    /** The exception {@code call} throws, for tests that look at messages too. */
    static InvalidPayloadException rejection(ThrowingCallable call) {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class, call);
        assertThat(e).as("expected an InvalidPayloadException").isNotNull();
        return e;
    }
}
