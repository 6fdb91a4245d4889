package dev.winch.gateway.receiver;

import dev.winch.gateway.auth.Cidr;
import dev.winch.gateway.auth.Tokens;
import dev.winch.gateway.hooks.TriggerRule;
import dev.winch.gateway.payload.InvalidPayloadException;
import java.time.Clock;
import java.util.List;

/**
 * A receiver ready to serve requests: its spec, its parsed address blocks or trigger rule (parsed once, not per
 * request) and its rate limiter.
 */
public final class Receiver {

    /** The CloudEvent source of the events a receiver accepts: this prefix and its id. */
    public static final String SOURCE_PREFIX = "/winch/gateway/hooks/";

    private final ReceiverSpec spec;
    private final java.net.URI source;
    private final String idAsJson;
    private final List<Cidr> allowed;
    private final TriggerRule triggerRule;
    private final TokenBucket bucket;

    public Receiver(ReceiverSpec spec, ReceiverSpec.RateLimit defaultLimit, Clock clock) {
        this.spec = spec;
        this.source = java.net.URI.create(SOURCE_PREFIX + spec.id());
        this.idAsJson = io.vertx.core.json.Json.encode(spec.id());
        this.allowed = spec.auth() == null ? List.of() : spec.auth().allowedCidrs().stream().map(Cidr::parse).toList();
        this.triggerRule = spec.auth() == null || spec.auth().triggerRule() == null ? null
                : compile(spec.auth().triggerRule(), spec.id());
        ReceiverSpec.RateLimit limit = spec.rateLimit() != null ? spec.rateLimit() : defaultLimit;
        this.bucket = new TokenBucket(limit.perSecond(), limit.burst(), clock);
    }

    public ReceiverSpec spec() {
        return spec;
    }

    public String id() {
        return spec.id();
    }

    /** The id as a JSON string, quoted and escaped, for answers written by hand. */
    public String idAsJson() {
        return idAsJson;
    }

    /** The CloudEvent source of the events this receiver accepts. */
    public java.net.URI source() {
        return source;
    }

    private static TriggerRule compile(com.fasterxml.jackson.databind.JsonNode settings, String id) {
        try {
            return TriggerRule.compile(settings, id);
        } catch (InvalidPayloadException e) {
            // HookFile compiled the same settings before it made the spec
            throw new IllegalArgumentException("trigger rule of " + id + ": " + e.errors(), e);
        }
    }

    /** The compiled trigger rule of a receiver from a hooks file, else null. */
    public TriggerRule triggerRule() {
        return triggerRule;
    }

    public List<Cidr> allowed() {
        return allowed;
    }

    public TokenBucket bucket() {
        return bucket;
    }
}
