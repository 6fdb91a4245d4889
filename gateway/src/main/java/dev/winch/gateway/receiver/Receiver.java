package dev.winch.gateway.receiver;

import java.time.Clock;
import java.util.List;

/** A receiver ready to serve requests: its spec, its parsed address blocks and its rate limiter. */
public final class Receiver {

    private final ReceiverSpec spec;
    private final List<Cidr> allowed;
    private final TokenBucket bucket;

    Receiver(ReceiverSpec spec, ReceiverSpec.RateLimit defaultLimit, Clock clock) {
        this.spec = spec;
        this.allowed = spec.auth() == null ? List.of() : spec.auth().allowedCidrs().stream().map(Cidr::parse).toList();
        ReceiverSpec.RateLimit limit = spec.rateLimit() != null ? spec.rateLimit() : defaultLimit;
        this.bucket = new TokenBucket(limit.perSecond(), limit.burst(), clock);
    }

    public ReceiverSpec spec() {
        return spec;
    }

    public String id() {
        return spec.id();
    }

    List<Cidr> allowed() {
        return allowed;
    }

    public TokenBucket bucket() {
        return bucket;
    }
}
