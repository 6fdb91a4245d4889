package dev.winch.gateway.payload;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A webhook request as the payload adapters see it: plain Java, no HTTP server types.
 *
 * @param query   query parameters (first value of each)
 * @param headers request headers, names in lower case
 * @param body    the raw body
 * @param remoteAddress the sender's IP address
 * @param rawQuery the query string as sent, or null when only {@code query} is known (hooks-file trigger rules
 *                 decode it as the adnanh/webhook tool does)
 * @param remotePort the sender's port, or 0 when unknown (a hooks-file rule sees {@code remote-addr} with it)
 */
public record HookRequest(Map<String, String> query, Map<String, String> headers, byte[] body, String remoteAddress,
        String rawQuery, int remotePort) {

    public HookRequest(Map<String, String> query, Map<String, String> headers, byte[] body, String remoteAddress) {
        this(query, headers, body, remoteAddress, null, 0);
    }

    public HookRequest {
        query = Map.copyOf(query);
        headers = lowerCaseNames(headers) ? Map.copyOf(headers) : headers.entrySet().stream().collect(
                Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue,
                        (a, b) -> a));
        body = body == null ? new byte[0] : body;
    }

    public Optional<String> queryParam(String name) {
        return Optional.ofNullable(query.get(name)).filter(v -> !v.isBlank());
    }

    public Optional<String> header(String name) {
        String value = headers.get(name);
        if (value == null) {
            value = headers.get(name.toLowerCase(Locale.ROOT));
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    /** The first of {@code names} that is present. */
    public Optional<String> firstHeader(List<String> names) {
        for (String name : names) {
            Optional<String> value = header(name);
            if (value.isPresent()) {
                return value;
            }
        }
        return Optional.empty();
    }

    /** True when every name is already in lower case (the server hands them over so): then one copy is enough. */
    private static boolean lowerCaseNames(Map<String, String> headers) {
        for (String name : headers.keySet()) {
            for (int i = 0; i < name.length(); i++) {
                if (Character.isUpperCase(name.charAt(i))) {
                    return false;
                }
            }
        }
        return true;
    }
}
