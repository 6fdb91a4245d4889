package dev.winch.gateway.payload;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The registry payload adapters by format name, as receivers and trigger URLs ({@code repo_type}) name them. */
public final class Payloads {

    private static final Map<String, RegistryPayload> BY_FORMAT;

    static {
        Map<String, RegistryPayload> byFormat = new LinkedHashMap<>();
        byFormat.put(DockerHubPayload.FORMAT, new DockerHubPayload());
        byFormat.put(AliyunAcrPayload.FORMAT, new AliyunAcrPayload());
        byFormat.put(HarborPayload.FORMAT, new HarborPayload());
        byFormat.put(QuayPayload.FORMAT, new QuayPayload());
        byFormat.put(RegistryNotificationPayload.FORMAT, new RegistryNotificationPayload());
        byFormat.put(CustomPayload.FORMAT, new CustomPayload());
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
