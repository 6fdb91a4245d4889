package dev.winch.gateway.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.event.Outcome;
import dev.winch.common.image.ImageReference;
import dev.winch.common.image.TagPolicy;
import dev.winch.gateway.auth.Cidr;
import dev.winch.gateway.auth.Tokens;
import dev.winch.gateway.payload.FieldReader;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.Payloads;
import dev.winch.gateway.receiver.ReceiverSpec.Auth;
import dev.winch.gateway.receiver.ReceiverSpec.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Turns receiver input (admin API body, receivers file entry) into a {@link ReceiverSpec}, or an
 * {@link InvalidPayloadException} that names every bad field. No I/O.
 *
 * <p>Input: {@code id} (optional on create), {@code name}, {@code kind}, {@code token} (optional: generated when
 * neither a token nor an HMAC secret is given), {@code hmacSecret}, {@code allowedCidrs}, {@code rateLimit}
 * {@code notify} (routes to notifier channels) and the section named after the kind ({@code scaleService}, {@code scaleHost}, {@code serviceUpgrade},
 * {@code redeploy}).
 */
public final class ReceiverValidator {

    private static final Set<String> ACTIONS = Set.of("up", "down");
    /** The outcomes a route may name: every {@link Outcome} a worker writes ({@code UNKNOWN} is a reader's). */
    private static final List<String> OUTCOMES = java.util.Arrays.stream(Outcome.values())
            .filter(o -> o != Outcome.UNKNOWN).map(Enum::name).toList();
    private static final int MAX_ROUTES = 32;
    private static final Set<String> ON_RESOLVED = Set.of("ignore", "up", "down");
    private static final Set<String> TOP_LEVEL = Set.of("id", "name", "kind", "token", "hmacSecret",
            "allowedCidrs", "rateLimit", "notify", "scaleService", "scaleHost", "serviceUpgrade", "redeploy");

    /** A valid receiver, and its token in clear when the input gave or asked for one (shown once). */
    public record Validated(ReceiverSpec spec, Optional<String> token) {
    }

    private ReceiverValidator() {
    }

    /**
     * @param input    the JSON object given
     * @param pathId   the id from the URL on update, else null
     * @param existing the stored receiver on update: a missing token or secret keeps the existing one
     * @param origin   {@code api} or {@code file}
     */
    public static Validated validate(JsonNode input, String pathId, ReceiverSpec existing, String origin, Instant now)
            throws InvalidPayloadException {
        FieldReader f = new FieldReader();
        if (input == null || !input.isObject()) {
            f.error("$", "must be a JSON object");
            f.throwIfAny("invalid receiver");
        }
        input.fieldNames().forEachRemaining(name -> {
            if (!TOP_LEVEL.contains(name)) {
                f.error(name, "is not a receiver field");
            }
        });
        String id = f.text(input, "", "id", false);
        if (pathId != null) {
            if (id != null && !id.equals(pathId)) {
                f.error("id", "must match the id in the URL");
            }
            id = pathId;
        }
        if (id == null) {
            id = UUID.randomUUID().toString();
        } else if (!ReceiverSpec.isId(id)) {
            f.error("id", ReceiverSpec.ID_RULE);
        }
        String name = f.text(input, "", "name", false);
        if (name != null && name.length() > 200) {
            f.error("name", "at most 200 characters");
        }
        Kind kind = null;
        String kindText = f.text(input, "", "kind", true);
        if (kindText != null) {
            try {
                kind = Kind.of(kindText);
            } catch (IllegalArgumentException e) {
                f.error("kind", e.getMessage());
            }
        }
        if (existing != null && kind != null && kind != existing.kind()) {
            f.error("kind", "cannot change; delete the receiver and create a new one");
        }

        String token = f.text(input, "", "token", false);
        if (token != null && token.length() < 8) {
            f.error("token", "at least 8 characters");
        }
        String hmacSecret = f.text(input, "", "hmacSecret", false);
        if (hmacSecret != null && hmacSecret.length() < 8) {
            f.error("hmacSecret", "at least 8 characters");
        }
        List<String> cidrs = f.strings(input, "", "allowedCidrs");
        for (int i = 0; i < cidrs.size(); i++) {
            try {
                Cidr.parse(cidrs.get(i));
            } catch (IllegalArgumentException e) {
                f.error("allowedCidrs[" + i + "]", e.getMessage());
            }
        }
        ReceiverSpec.RateLimit rateLimit = null;
        JsonNode rate = f.object(input, "", "rateLimit", false);
        if (rate != null) {
            rateLimit = new ReceiverSpec.RateLimit(
                    f.number(rate, "rateLimit.", "perSecond", 10, 0.001, 100_000),
                    f.integer(rate, "rateLimit.", "burst", 20, 1, 1_000_000));
        }
        List<ReceiverSpec.Notify> notify = notify(f, input);

        for (Kind other : Kind.values()) {
            if (other != kind && input.has(other.json())) {
                f.error(other.json(), "only the section of the receiver's kind may be given");
            }
        }
        ReceiverSpec.ScaleService scaleService = kind == Kind.SCALE_SERVICE ? scaleService(f, input) : null;
        ReceiverSpec.ScaleHost scaleHost = kind == Kind.SCALE_HOST ? scaleHost(f, input) : null;
        ReceiverSpec.ServiceUpgrade upgrade = kind == Kind.SERVICE_UPGRADE ? serviceUpgrade(f, input) : null;
        ReceiverSpec.Redeploy redeploy = kind == Kind.REDEPLOY ? redeploy(f, input) : null;
        f.throwIfAny("invalid receiver");

        Auth previous = existing == null ? null : existing.auth();
        Optional<String> clearToken = Optional.ofNullable(token);
        String tokenSha256 = token != null ? Tokens.sha256(token) : previous == null ? null : previous.tokenSha256();
        String secret = hmacSecret != null ? hmacSecret : previous == null ? null : previous.hmacSecret();
        if (tokenSha256 == null && secret == null) {
            String generated = Tokens.generate();
            clearToken = Optional.of(generated);
            tokenSha256 = Tokens.sha256(generated);
        }
        Instant created = existing == null ? now : existing.createdAt();
        ReceiverSpec spec = new ReceiverSpec(id, name, kind, new Auth(tokenSha256, secret, cidrs, null),
                scaleService, scaleHost, upgrade, redeploy, rateLimit, origin, created, now, notify);
        return new Validated(spec, clearToken);
    }

    /**
     * {@code notify: [{channel: ops-mail, outcomes: [FAILED, APPLIED]}]}: channel names by syntax, outcomes by
     * {@link Outcome} (any case, stored upper-case), no channel twice, no outcome twice in one route.
     */
    private static List<ReceiverSpec.Notify> notify(FieldReader f, JsonNode input) {
        JsonNode list = input.get("notify");
        List<ReceiverSpec.Notify> routes = new ArrayList<>();
        if (list == null || list.isNull()) {
            return routes;
        }
        if (!list.isArray()) {
            f.error("notify", "must be a list of {channel, outcomes}");
            return routes;
        }
        if (list.size() > MAX_ROUTES) {
            f.error("notify", "at most " + MAX_ROUTES + " routes");
            return routes;
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String p = "notify[" + i + "].";
            JsonNode entry = list.get(i);
            if (!entry.isObject()) {
                f.error("notify[" + i + "]", "must be an object with channel and outcomes");
                continue;
            }
            entry.fieldNames().forEachRemaining(name -> {
                if (!name.equals("channel") && !name.equals("outcomes")) {
                    f.error(p + name, "is not a route field (channel, outcomes)");
                }
            });
            String channel = f.text(entry, p, "channel", true);
            if (channel != null && !ReceiverSpec.isChannelName(channel)) {
                f.error(p + "channel", ReceiverSpec.CHANNEL_RULE);
                channel = null;
            }
            if (channel != null) {
                Integer first = seen.putIfAbsent(channel, i);
                if (first != null) {
                    f.error(p + "channel", "'" + channel + "' is already routed by notify[" + first
                            + "]; give it once with all its outcomes");
                }
            }
            List<String> outcomes = new ArrayList<>();
            List<String> given = f.strings(entry, p, "outcomes");
            for (int j = 0; j < given.size(); j++) {
                String outcome = given.get(j).toUpperCase(java.util.Locale.ROOT);
                if (!OUTCOMES.contains(outcome)) {
                    f.error(p + "outcomes[" + j + "]", "must be one of " + String.join(", ", OUTCOMES));
                } else if (outcomes.contains(outcome)) {
                    f.error(p + "outcomes[" + j + "]", "'" + outcome + "' is given twice");
                } else {
                    outcomes.add(outcome);
                }
            }
            if (channel != null) {
                routes.add(new ReceiverSpec.Notify(channel, outcomes));
            }
        }
        return routes;
    }

    private static ReceiverSpec.ScaleService scaleService(FieldReader f, JsonNode input) {
        String p = "scaleService.";
        JsonNode s = f.object(input, "", "scaleService", true);
        if (s == null) {
            return null;
        }
        String namespace = namespace(f, s, p);
        String workload = f.text(s, p, "workload", false);
        Map<String, String> selector = f.labels(s, p, "selector", false);
        if (workload != null && !selector.isEmpty()) {
            f.error(p + "workload", "give a workload or a selector, not both");
        } else if (workload == null && selector.isEmpty()) {
            f.error(p + "workload", "is required (kind/name), unless a selector is given");
        } else if (workload != null) {
            TargetNames.workload(f, p + "workload", namespace, workload, TargetNames.SCALABLE_KINDS);
        }
        String action = f.oneOf(s, p, "action", ACTIONS, null);
        int amount = f.integer(s, p, "amount", 1, 1, 10_000);
        int min = f.integer(s, p, "min", 0, 0, 100_000);
        int max = f.integer(s, p, "max", null, 1, 100_000);
        if (min >= max) {
            f.error(p + "min", "must be less than max");
        }
        int cooldown = f.integer(s, p, "cooldownSeconds", 0, 0, 86_400);
        String onResolved = f.oneOf(s, p, "onResolved", ON_RESOLVED, "ignore");
        return new ReceiverSpec.ScaleService(namespace, workload, selector.isEmpty() ? null : selector, action, amount,
                min, max, cooldown, onResolved);
    }

    private static ReceiverSpec.ScaleHost scaleHost(FieldReader f, JsonNode input) {
        String p = "scaleHost.";
        JsonNode s = f.object(input, "", "scaleHost", true);
        if (s == null) {
            return null;
        }
        Map<String, String> selector = f.labels(s, p, "hostSelector", true);
        String action = f.oneOf(s, p, "action", ACTIONS, null);
        int amount = f.integer(s, p, "amount", 1, 1, 1_000);
        int min = f.integer(s, p, "min", 0, 0, 10_000);
        int max = f.integer(s, p, "max", null, 1, 10_000);
        if (min >= max) {
            f.error(p + "min", "must be less than max");
        }
        String deleteOption = f.oneOf(s, p, "deleteOption", Set.of("mostRecent", "leastRecent"), "mostRecent");
        String onResolved = f.oneOf(s, p, "onResolved", ON_RESOLVED, "ignore");
        return new ReceiverSpec.ScaleHost(selector, action, amount, min, max, deleteOption, onResolved);
    }

    private static ReceiverSpec.ServiceUpgrade serviceUpgrade(FieldReader f, JsonNode input) {
        String p = "serviceUpgrade.";
        JsonNode s = f.object(input, "", "serviceUpgrade", true);
        if (s == null) {
            return null;
        }
        String tagPolicy = tagPolicy(f, s, p);
        boolean exact = tagPolicy == null || tagPolicy.strip().equalsIgnoreCase("exact");
        String tag = f.text(s, p, "tag", exact);
        if (tag != null && !ImageReference.isTag(tag)) {
            f.error(p + "tag", "is not a valid image tag");
        }
        Map<String, String> selector = f.labels(s, p, "serviceSelector", true);
        List<String> namespaces = f.strings(s, p, "namespaces");
        for (int i = 0; i < namespaces.size(); i++) {
            TargetNames.namespace(f, p + "namespaces[" + i + "]", namespaces.get(i));
        }
        Integer batchSize = f.optionalInteger(s, p, "batchSize", 1, 10_000);
        Integer interval = f.optionalInteger(s, p, "intervalSeconds", 0, 3_600);
        Boolean startFirst = f.optionalBool(s, p, "startFirst");
        String format = f.oneOf(s, p, "payloadFormat", Payloads.formats(), "dockerhub");
        return new ReceiverSpec.ServiceUpgrade(tag, selector, namespaces, batchSize, interval, startFirst, format,
                tagPolicy, f.bool(s, p, "pinDigest", false), f.optionalInteger(s, p, "rolloutTimeoutSeconds", 1, 86_400),
                f.bool(s, p, "rollbackOnFailure", false));
    }

    /** The tag policy as {@link TagPolicy} reads it, or null for the default ({@code exact}). */
    private static String tagPolicy(FieldReader f, JsonNode s, String p) {
        String policy = f.text(s, p, "tagPolicy", false);
        if (policy != null) {
            try {
                TagPolicy.parse(policy, "any");
            } catch (IllegalArgumentException e) {
                f.error(p + "tagPolicy", e.getMessage());
            }
        }
        return policy;
    }

    private static ReceiverSpec.Redeploy redeploy(FieldReader f, JsonNode input) {
        String p = "redeploy.";
        JsonNode s = f.object(input, "", "redeploy", false);
        if (s == null) {
            return new ReceiverSpec.Redeploy(null, null, null, null);
        }
        String namespace = s.has("namespace") ? namespace(f, s, p) : null;
        String workload = f.text(s, p, "workload", false);
        if (workload != null) {
            TargetNames.workload(f, p + "workload", namespace, workload, TargetNames.UPGRADABLE_KINDS);
        }
        String container = f.text(s, p, "container", false);
        if (container != null) {
            TargetNames.container(f, p + "container", container);
        }
        String policy = tagPolicy(f, s, p);
        String repoType = f.text(s, p, "repoType", false);
        if (repoType != null && !Payloads.formats().contains(repoType)) {
            f.error(p + "repoType", "must be one of " + String.join(", ", Payloads.formats().stream().sorted().toList()));
        }
        return new ReceiverSpec.Redeploy(namespace, workload, container, repoType, policy,
                f.bool(s, p, "pinDigest", false), f.optionalInteger(s, p, "rolloutTimeoutSeconds", 1, 86_400),
                f.bool(s, p, "rollbackOnFailure", false));
    }

    private static String namespace(FieldReader f, JsonNode s, String p) {
        String namespace = f.text(s, p, "namespace", true);
        if (namespace != null) {
            TargetNames.namespace(f, p + "namespace", namespace);
        }
        return namespace;
    }
}
