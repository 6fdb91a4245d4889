package dev.winch.gateway.payload;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** The registry payload adapters by format name, as receivers and trigger URLs ({@code repo_type}) name them. */
public final class Payloads {

    private static final Map<String, RegistryPayload> BY_FORMAT;

    static {
        Map<String, RegistryPayload> byFormat = new LinkedHashMap<>();
        Stream.of(new DockerHubPayload(), new AliyunAcrPayload(), new HarborPayload(), new QuayPayload(),
                        new RegistryNotificationPayload(), new CustomPayload())
                .forEach(adapter -> byFormat.put(adapter.format(), adapter));
        BY_FORMAT = Collections.unmodifiableMap(byFormat);
    }

    private Payloads() {
    }

    /** The adapter for {@code format} ({@code dockerhub}, {@code aliyun}, ...); adapters are stateless and shared. */
    public static Optional<RegistryPayload> forFormat(String format) {
        return format == null ? Optional.empty() : Optional.ofNullable(BY_FORMAT.get(format));
    }

    /** Every format name, in a stable order for messages such as "repo_type must be one of ...". */
    public static Set<String> formats() {
        return BY_FORMAT.keySet();
    }
}
