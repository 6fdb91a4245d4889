package dev.winch.gateway.hooks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.receiver.ReceiverSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The cases of the hooks-file differential test ({@code hooks/compat/cases.json}): a hooks file, a request, and
 * what webhook 2.8 answered, recorded from the tool by {@code src/test/compat/record-webhook.py}. A case Winch
 * answers differently on purpose names Winch's outcome and why (the README's table of differences).
 */
final class WebhookCases {

    static final String MATCHED = "matched";
    static final String NOT_MATCHED = "not-matched";
    static final String ERROR = "error";
    static final String NOT_SERVED = "not-served";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    /** The tool sees the sender's port in remote-addr; any port will do, as it changes with every connection. */
    private static final int REMOTE_PORT = 51234;

    record Case(String name, String file, String hook, String method, String query, Map<String, String> headers,
            String body, String remote, String tool, String winch, String why) {

        /** What Winch must answer: the tool's outcome unless the case documents a deliberate difference. */
        String expected() {
            return winch != null ? winch : tool;
        }

        @Override
        public String toString() {
            return file + " " + hook + ": " + name;
        }
    }

    private WebhookCases() {
    }

    static List<Case> all() {
        try (InputStream in = resource("cases.json")) {
            return JSON.readValue(in, new TypeReference<List<Case>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] file(String name) {
        try (InputStream in = resource("files/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = WebhookCases.class.getResourceAsStream("/hooks/compat/" + name);
        if (in == null) {
            throw new IllegalStateException("missing test resource hooks/compat/" + name);
        }
        return in;
    }

    /** Winch's outcome for every case of one hooks file, loading the file once as the gateway does. */
    static Map<Case, String> winch(String file, List<Case> cases) throws IOException, InvalidPayloadException {
        HookFile.Loaded loaded = HookFile.parse(HookFile.readHooks(file(file)), NOW);
        Map<String, TriggerRule> served = new HashMap<>();
        for (ReceiverSpec spec : loaded.served()) {
            served.put(spec.id(), TriggerRule.compile(spec.auth().triggerRule(), spec.id()));
        }
        Map<Case, String> outcomes = new HashMap<>();
        for (Case c : cases) {
            outcomes.put(c, Optional.ofNullable(served.get(c.hook()))
                    .map(rule -> outcome(rule.evaluate(request(c)))).orElse(NOT_SERVED));
        }
        return outcomes;
    }

    static Map<String, List<Case>> byFile(List<Case> cases) {
        return cases.stream().collect(Collectors.groupingBy(Case::file, java.util.LinkedHashMap::new,
                Collectors.toList()));
    }

    private static HookRequest request(Case c) {
        // HTTP servers (Go's and Netty's alike) drop the whitespace around a header value
        Map<String, String> headers = new HashMap<>();
        c.headers().forEach((name, value) -> headers.put(name, value.strip()));
        // the gateway hands over the query as sent; the rule decodes it as the tool does
        return new HookRequest(Map.of(), headers, c.body().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                c.remote(), c.query(), REMOTE_PORT);
    }

    private static String outcome(TriggerRule.Verdict verdict) {
        return switch (verdict) {
            case MATCHED -> MATCHED;
            case NOT_MATCHED -> NOT_MATCHED;
            case ERROR -> ERROR;
        };
    }
}
