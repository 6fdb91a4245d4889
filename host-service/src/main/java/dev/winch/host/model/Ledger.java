package dev.winch.host.model;

import dev.winch.common.event.ScaleAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A group's record of what Winch did to it, kept in one ConfigMap per group: the ids of the events decided
 * ({@code applied}, newest last) and the claims of events being carried out. A claim is written before the first
 * change an event makes and names the hosts it acts on, so that an event redelivered after a crash goes on with the
 * same hosts (a scale-down does not choose new ones; a clone asks for the same names) instead of planning again.
 * Pure: the ConfigMap is read and written by {@code dev.winch.host.kubernetes.HostLedger}.
 *
 * @param applied ids of the events decided for this group, newest last, at most {@link #KEEP}
 * @param claims  event id → its claim, for the events started and not finished
 */
public record Ledger(List<String> applied, Map<String, Claim> claims) {

    /** Ids kept. One group's requests are few (a person or an alert asks for hosts), 100 covers days of them. */
    public static final int KEEP = 100;

    /**
     * What an event started to do.
     *
     * @param action up (clone) or down (remove)
     * @param hosts  the hosts chosen for removal, or the names asked of the exec provider for clones
     * @param at     when it was claimed
     */
    public record Claim(ScaleAction action, List<String> hosts, Instant at) {
        public Claim {
            Objects.requireNonNull(action, "action");
            hosts = List.copyOf(hosts);
            Objects.requireNonNull(at, "at");
        }
    }

    public static final Ledger EMPTY = new Ledger(List.of(), Map.of());

    public Ledger {
        applied = List.copyOf(applied);
        claims = Map.copyOf(claims);
    }

    public boolean isApplied(String eventId) {
        return applied.contains(eventId);
    }

    public Optional<Claim> claim(String eventId) {
        return Optional.ofNullable(claims.get(eventId));
    }

    /**
     * How long an unfinished claim is kept. A claim stays when its event was given up (dead-lettered after its
     * retries) and is never carried out again; a week is far beyond any redelivery, and keeps the ConfigMap small.
     */
    public static final java.time.Duration CLAIM_KEPT = java.time.Duration.ofDays(7);

    /** With {@code claim} recorded for {@code eventId}; claims older than {@link #CLAIM_KEPT} before it dropped. */
    public Ledger withClaim(String eventId, Claim claim) {
        Map<String, Claim> more = new LinkedHashMap<>();
        Instant oldest = claim.at().minus(CLAIM_KEPT);
        claims.forEach((id, kept) -> {
            if (!kept.at().isBefore(oldest)) {
                more.put(id, kept);
            }
        });
        more.put(eventId, claim);
        return new Ledger(applied, more);
    }

    /** With {@code eventId} decided: its claim gone, its id among the newest {@link #KEEP}. */
    public Ledger withApplied(String eventId) {
        Map<String, Claim> fewer = new LinkedHashMap<>(claims);
        fewer.remove(eventId);
        List<String> ids = new ArrayList<>(applied);
        ids.remove(eventId);
        ids.add(eventId);
        return new Ledger(ids.subList(Math.max(0, ids.size() - KEEP), ids.size()), fewer);
    }
}
