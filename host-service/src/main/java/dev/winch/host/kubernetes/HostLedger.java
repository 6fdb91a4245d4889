package dev.winch.host.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.winch.host.model.Ledger;
import dev.winch.kubernetes.OptimisticUpdate;
import dev.winch.kubernetes.OptimisticUpdate.Decision;
import dev.winch.kubernetes.UpdateResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The per-group {@link Ledger}, kept in a ConfigMap of Winch's namespace ({@code WINCH_HOST_NAMESPACE}) named
 * {@code winch-hosts-<12 hex digits of the SHA-256 of the group key>} (a selector can be longer than a name and hold
 * characters a name cannot), labelled {@code app.kubernetes.io/managed-by=winch} and holding the group key in
 * {@code data.group} so people can tell which group it is. Every change is a PUT with the resourceVersion read
 * ({@link OptimisticUpdate}): two writers of one group never overwrite each other's record. Blocking.
 */
public final class HostLedger {

    static final String PREFIX = "winch-hosts-";
    static final String GROUP = "group";
    static final String LEDGER = "ledger";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** What a change of the ledger came to: the ledger as stored after it, and whether anything was written. */
    public record Change(Ledger ledger, boolean written) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final OptimisticUpdate update;

    public HostLedger(KubernetesClient client, String namespace) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.update = new OptimisticUpdate(client);
    }

    /** The ledger of group {@code key}; empty when none was written yet. */
    public Ledger read(String key) {
        return parse(client.configMaps().inNamespace(namespace).withName(name(key)).get());
    }

    /**
     * Changes the ledger of {@code key} with {@code change} (pure: it may run again after a conflict), creating the
     * ConfigMap when there is none. {@code change} returns the ledger unchanged (the same object) when there is
     * nothing to write.
     */
    public Change change(String key, Function<Ledger, Ledger> change) {
        for (int attempt = 1; ; attempt++) {
            ConfigMap read = client.configMaps().inNamespace(namespace).withName(name(key)).get();
            if (read == null) {
                Ledger next = change.apply(Ledger.EMPTY);
                if (next == Ledger.EMPTY) {
                    return new Change(next, false);
                }
                try {
                    client.configMaps().inNamespace(namespace).resource(configMap(key, next)).create();
                    return new Change(next, true);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409 || attempt >= OptimisticUpdate.DEFAULT_MAX_ATTEMPTS) {
                        throw e;
                    }
                    continue; // created meanwhile by another writer: change what it wrote
                }
            }
            UpdateResult<ConfigMap, Ledger> result = update.update(read, copy -> {
                Ledger current = parse(copy);
                Ledger next = change.apply(current);
                if (next == current) {
                    return Decision.nothing(current);
                }
                Map<String, String> data = copy.getData() == null ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(copy.getData());
                data.put(GROUP, key);
                data.put(LEDGER, write(next));
                copy.setData(data);
                return Decision.write(copy, next);
            });
            if (result instanceof UpdateResult.Written<ConfigMap, Ledger> written) {
                return new Change(written.decision(), true);
            }
            if (result instanceof UpdateResult.Unchanged<ConfigMap, Ledger> unchanged) {
                return new Change(unchanged.decision(), false);
            }
            if (result instanceof UpdateResult.Gone && attempt < OptimisticUpdate.DEFAULT_MAX_ATTEMPTS) {
                continue; // deleted meanwhile: start again from nothing
            }
            throw new IllegalStateException("the ledger " + namespace + "/" + name(key) + " of group " + key
                    + " could not be written: " + result);
        }
    }

    /** The ConfigMap's name for group {@code key}. */
    public static String name(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(hash).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private ConfigMap configMap(String key, Ledger ledger) {
        return new ConfigMapBuilder()
                .withNewMetadata().withName(name(key)).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "winch")
                .addToLabels("app.kubernetes.io/component", "host-service")
                .endMetadata()
                .addToData(GROUP, key)
                .addToData(LEDGER, write(ledger))
                .build();
    }

    private static Ledger parse(ConfigMap map) {
        if (map == null || map.getData() == null || map.getData().get(LEDGER) == null) {
            return Ledger.EMPTY;
        }
        try {
            return JSON.readValue(map.getData().get(LEDGER), Ledger.class);
        } catch (JsonProcessingException e) {
            // someone edited it by hand into something else; starting from nothing would forget every claim
            throw new IllegalStateException("the ledger " + map.getMetadata().getNamespace() + "/"
                    + map.getMetadata().getName() + " is not readable: " + e.getOriginalMessage(), e);
        }
    }

    private static String write(Ledger ledger) {
        try {
            return JSON.writeValueAsString(ledger);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a ledger is plain values", e);
        }
    }
}
