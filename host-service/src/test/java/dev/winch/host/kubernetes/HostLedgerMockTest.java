package dev.winch.host.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ScaleAction;
import dev.winch.host.model.Ledger;
import dev.winch.host.model.Ledger.Claim;
import dev.winch.testkit.SandboxKubernetes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-group ledger ConfigMap against the mock API server. */
class HostLedgerMockTest {

    private static final String GROUP = "pool=workers,zone=a";
    private static final Instant AT = Instant.parse("2026-01-01T12:00:00Z");

    private SandboxKubernetes kubernetes;
    private HostLedger ledger;

    @BeforeEach
    void start() {
        kubernetes = SandboxKubernetes.start();
        ledger = new HostLedger(kubernetes.client(), "winch");
    }

    @AfterEach
    void stop() {
        kubernetes.close();
    }

    @Test
    void aClaimIsStoredWithTheHostsAndReadBack() {
        Claim claim = new Claim(ScaleAction.DOWN, List.of("n-3", "n-1"), AT);

        HostLedger.Change change = ledger.change(GROUP, l -> l.withClaim("evt-1", claim));

        assertThat(change.written()).isTrue();
        assertThat(ledger.read(GROUP).claim("evt-1")).contains(claim);
        ConfigMap map = kubernetes.client().configMaps().inNamespace("winch").withName(HostLedger.name(GROUP)).get();
        assertThat(map.getData()).containsEntry("group", GROUP);
        assertThat(map.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "winch");
    }

    @Test
    void appliedEventsAreRememberedAndTheirClaimsDropped() {
        ledger.change(GROUP, l -> l.withClaim("evt-1", new Claim(ScaleAction.DOWN, List.of("n-1"), AT)));

        ledger.change(GROUP, l -> l.withApplied("evt-1"));

        Ledger read = ledger.read(GROUP);
        assertThat(read.isApplied("evt-1")).isTrue();
        assertThat(read.claims()).isEmpty();
    }

    @Test
    void nothingIsWrittenWhenTheChangeIsNone() {
        assertThat(ledger.change(GROUP, l -> l).written()).isFalse();
        assertThat(kubernetes.client().configMaps().inNamespace("winch").list().getItems()).isEmpty();
    }

    @Test
    void aConcurrentWriteIsKeptNotOverwritten() {
        ledger.change(GROUP, l -> l.withApplied("evt-0"));
        AtomicInteger runs = new AtomicInteger();

        ledger.change(GROUP, l -> {
            if (runs.incrementAndGet() == 1) {
                // another replica writes between this read and this write
                new HostLedger(kubernetes.client(), "winch").change(GROUP, other -> other.withApplied("evt-other"));
            }
            return l.withApplied("evt-mine");
        });

        assertThat(runs.get()).isEqualTo(2);
        assertThat(ledger.read(GROUP).applied()).containsExactly("evt-0", "evt-other", "evt-mine");
    }

    @Test
    void groupsHaveLedgersOfTheirOwn() {
        ledger.change(GROUP, l -> l.withApplied("evt-a"));

        assertThat(ledger.read("pool=other").isApplied("evt-a")).isFalse();
        assertThat(HostLedger.name(GROUP)).matches("winch-hosts-[0-9a-f]{12}");
    }
}
