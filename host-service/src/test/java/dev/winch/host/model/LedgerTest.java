package dev.winch.host.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ScaleAction;
import dev.winch.host.model.Ledger.Claim;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerTest {

    private static final Claim CLAIM = new Claim(ScaleAction.DOWN, List.of("a", "b"), Instant.EPOCH);

    @Test
    void aClaimIsKeptUntilItsEventIsApplied() {
        Ledger claimed = Ledger.EMPTY.withClaim("e1", CLAIM);
        assertThat(claimed.claim("e1")).contains(CLAIM);
        assertThat(claimed.isApplied("e1")).isFalse();

        Ledger applied = claimed.withApplied("e1");
        assertThat(applied.claim("e1")).isEmpty();
        assertThat(applied.isApplied("e1")).isTrue();
    }

    @Test
    void dropsClaimsAWeekOlderThanANewOne() {
        Claim old = new Claim(ScaleAction.DOWN, List.of("a"), Instant.EPOCH);
        Claim recent = new Claim(ScaleAction.DOWN, List.of("b"), Instant.EPOCH.plus(Ledger.CLAIM_KEPT));
        Claim now = new Claim(ScaleAction.UP, List.of("c"), Instant.EPOCH.plus(Ledger.CLAIM_KEPT).plusSeconds(1));

        Ledger ledger = Ledger.EMPTY.withClaim("old", old).withClaim("recent", recent).withClaim("now", now);

        assertThat(ledger.claims()).containsOnlyKeys("recent", "now");
    }

    @Test
    void keepsTheNewestIds() {
        Ledger ledger = Ledger.EMPTY;
        for (int i = 0; i < Ledger.KEEP + 5; i++) {
            ledger = ledger.withApplied("e" + i);
        }
        assertThat(ledger.applied()).hasSize(Ledger.KEEP).startsWith("e5").endsWith("e" + (Ledger.KEEP + 4));
        assertThat(ledger.isApplied("e4")).isFalse();
    }
}
