package dev.winch.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The real sample payloads of src/test/resources/payloads, for tests outside the payload package. */
public final class Samples {

    public static final ObjectMapper JSON = new ObjectMapper();

    private Samples() {
    }

    /** A sample as sent: the exact bytes of the file. */
    public static String text(String name) {
        try (InputStream in = Samples.class.getResourceAsStream("/payloads/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample payload " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh, mutable copy of a sample, so a test can break it. */
    public static ObjectNode json(String name) {
        return (ObjectNode) parse(text(name));
    }

    /** JSON written with single quotes for readability in tests: {@code {'kind':'redeploy'}}. */
    public static JsonNode lenient(String text) {
        return parse(text.replace('\'', '"'));
    }

    public static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
