package dev.winch.gateway.receiver;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A receiver as it is stored (compacted topic {@code winch.receivers}, key = id) and shown by the admin API.
 * Exactly one of the kind sections is set. Secrets: the token is kept only as its SHA-256; the HMAC secret is
 * kept because verifying a signature needs it, and is never shown.
 *
 * @param notifyRoutes {@code notify}: the channels this receiver's results go to, or null
 * @param origin {@code api} (managed through the admin API) or {@code file} (declared in the receivers file)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReceiverSpec(
        String id,
        String name,
        Kind kind,
        Auth auth,
        ScaleService scaleService,
        ScaleHost scaleHost,
        ServiceUpgrade serviceUpgrade,
        Redeploy redeploy,
        RateLimit rateLimit,
        String origin,
        Instant createdAt,
        Instant updatedAt,
        @JsonProperty("notify") List<Notify> notifyRoutes) {

    public ReceiverSpec {
        notifyRoutes = notifyRoutes == null || notifyRoutes.isEmpty() ? null : List.copyOf(notifyRoutes);
    }

    /** A receiver that names no channels to notify. */
    public ReceiverSpec(String id, String name, Kind kind, Auth auth, ScaleService scaleService, ScaleHost scaleHost,
            ServiceUpgrade serviceUpgrade, Redeploy redeploy, RateLimit rateLimit, String origin, Instant createdAt,
            Instant updatedAt) {
        this(id, name, kind, auth, scaleService, scaleHost, serviceUpgrade, redeploy, rateLimit, origin, createdAt,
                updatedAt, null);
    }

    /** What a notifier channel name may be, as the answer to a bad one says it. */
    public static final String CHANNEL_RULE = "letters, digits, '.', '_' or '-', at most 63 characters, "
            + "starting with a letter or digit";
    private static final java.util.regex.Pattern CHANNEL_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /** Whether {@code name} is a channel name ({@link #CHANNEL_RULE}). */
    public static boolean isChannelName(String name) {
        return name != null && CHANNEL_NAME.matcher(name).matches();
    }

    /** What a receiver id may be, as the answer to a bad one says it: ids are URL path segments and Kafka keys. */
    public static final String ID_RULE = "letters, digits, '.', '_' or '-', at most 127 characters";
    private static final int ID_MAX_LENGTH = 127;

    /**
     * Whether {@code id} is a receiver id ({@link #ID_RULE}; the first character not a separator), for receivers
     * made by the admin API and hooks files.
     */
    public static boolean isId(String id) {
        if (id == null || id.isEmpty() || id.length() > ID_MAX_LENGTH || !isAlphanumeric(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            if (!isIdCharacter(id.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A character of a receiver id; the hook path is read without decoding only when made of these. */
    public static boolean isIdCharacter(char c) {
        return isAlphanumeric(c) || c == '-' || c == '_' || c == '.';
    }

    private static boolean isAlphanumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** What a receiver does when triggered (the Rancher 1.x receiver types, plus the seed 001 hook). */
    public enum Kind {
        SCALE_SERVICE("scaleService"),
        SCALE_HOST("scaleHost"),
        SERVICE_UPGRADE("serviceUpgrade"),
        REDEPLOY("redeploy");

        private final String json;

        Kind(String json) {
            this.json = json;
        }

        @JsonValue
        public String json() {
            return json;
        }

        @JsonCreator
        public static Kind of(String value) {
            return Arrays.stream(values()).filter(k -> k.json.equals(value)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("must be one of scaleService, scaleHost, "
                            + "serviceUpgrade, redeploy"));
        }
    }

    /**
     * How a request proves it may trigger the receiver: every configured part must pass.
     *
     * @param tokenSha256  hex SHA-256 of the token ({@code ?token=}, {@code X-Winch-Token}, {@code Bearer})
     * @param hmacSecret   when set, the raw body must be signed (HMAC-SHA256, {@code X-Hub-Signature-256} or
     *                     {@code X-Signature: sha256=...})
     * @param allowedCidrs when not empty, the sender's address must be in one of these
     * @param triggerRule  receivers from a hooks file: the hook's {@code trigger-rule} and
     *                     {@code trigger-signature-soft-failures} ({@code dev.winch.gateway.hooks.TriggerRule})
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Auth(String tokenSha256, String hmacSecret, List<String> allowedCidrs,
            com.fasterxml.jackson.databind.JsonNode triggerRule) {
        public Auth {
            allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
        }
    }

    /**
     * Scale a Deployment or StatefulSet. The target is {@code namespace} + {@code workload} ({@code kind/name}),
     * or {@code namespace} + {@code selector}.
     *
     * @param onResolved what a resolved Alertmanager notification does: {@code ignore} (default), {@code up},
     *                   {@code down}
     */
    public record ScaleService(String namespace, String workload, Map<String, String> selector, String action,
            int amount, int min, int max, int cooldownSeconds, String onResolved) {
    }

    /** Scale a labelled group of hosts (Rancher 1.x host scaling). */
    public record ScaleHost(Map<String, String> hostSelector, String action, int amount, int min, int max,
            String deleteOption, String onResolved) {
    }

    /**
     * Rancher 1.x serviceUpgrade: a push the tag policy takes upgrades every workload matching
     * {@code serviceSelector}.
     *
     * @param tag            the tag followed under the {@code exact} policy (required then)
     * @param batchSize      pods replaced at a time; null keeps the workload's own update strategy
     * @param intervalSeconds seconds between batches (minReadySeconds); null keeps the workload's own
     * @param startFirst     start new pods before stopping old ones; null keeps the workload's own
     * @param payloadFormat  which registry sends the pushes: dockerhub, aliyun, harbor, quay, registry, custom
     * @param tagPolicy      {@code exact} (default), {@code semver:major|minor|patch[+prerelease]}, {@code glob:...},
     *                       {@code regexp:...}
     * @param pinDigest      set {@code repository:tag@digest} when the push carries a digest
     * @param rolloutTimeoutSeconds how long a rollout may take before it counts as failed; null: the upgrader's
     * @param rollbackOnFailure set the previous images again when the rollout fails
     */
    public record ServiceUpgrade(String tag, Map<String, String> serviceSelector, List<String> namespaces,
            Integer batchSize, Integer intervalSeconds, Boolean startFirst, String payloadFormat, String tagPolicy,
            boolean pinDigest, Integer rolloutTimeoutSeconds, boolean rollbackOnFailure) {
    }

    /**
     * The seed 001 hook: a push upgrades one container of one workload. Fields left empty are taken from the
     * trigger URL ({@code ns}, {@code workload}, {@code container}, {@code repo_type}), which the trigger rule then
     * constrains. The rollout options mean what they mean for {@link ServiceUpgrade}.
     */
    public record Redeploy(String namespace, String workload, String container, String repoType, String tagPolicy,
            boolean pinDigest, Integer rolloutTimeoutSeconds, boolean rollbackOnFailure) {

        /** Target fields only, default rollout options. */
        public Redeploy(String namespace, String workload, String container, String repoType) {
            this(namespace, workload, container, repoType, null, false, null, false);
        }
    }

    /**
     * A route to a notifier channel: the results of this receiver's events with one of {@code outcomes} go to
     * {@code channel}. The gateway checks the syntax only; the notifier, which knows the channels file, ignores (and
     * warns about, and counts) a route to a channel it does not have.
     *
     * @param outcomes upper-case {@code dev.winch.common.event.Outcome} names; empty means every outcome
     */
    public record Notify(String channel, List<String> outcomes) {
        public Notify {
            outcomes = outcomes == null ? List.of() : List.copyOf(outcomes);
        }
    }

    /** A token bucket: {@code perSecond} sustained, {@code burst} at once. */
    public record RateLimit(double perSecond, int burst) {
    }
}
