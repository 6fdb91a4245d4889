package dev.winch.host.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.host.model.HostState.Readiness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostStateTest {

    @ParameterizedTest(name = "ready={0} unschedulable={1} draining={2} providerError={3} -> {4}")
    @CsvSource({
            // the provider's failure wins over everything
            "True,    false, false, true,  ERROR",
            "False,   true,  true,  true,  ERROR",
            // Winch's own drain: Deactivating, whatever the Ready condition says
            "True,    true,  true,  false, DEACTIVATING",
            "Unknown, true,  true,  false, DEACTIVATING",
            "True,    false, true,  false, DEACTIVATING",
            // cordoned by someone else
            "True,    true,  false, false, INACTIVE",
            "False,   true,  false, false, INACTIVE",
            // then the Ready condition
            "Unknown, false, false, false, RECONNECTING",
            ",        false, false, false, RECONNECTING",
            "False,   false, false, false, DISCONNECTED",
            "True,    false, false, false, ACTIVE",
    })
    void mapsANodeToTheSeedsStates(String ready, boolean unschedulable, boolean draining, boolean providerError,
            HostState expected) {
        assertThat(HostState.of(Readiness.of(ready), unschedulable, draining, providerError)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"True, TRUE", "False, FALSE", "Unknown, UNKNOWN", "true, UNKNOWN", ", UNKNOWN"})
    void readsTheReadyConditionAsTheApiServerWritesIt(String status, Readiness expected) {
        assertThat(Readiness.of(status)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"ERROR, false", "INACTIVE, true", "DEACTIVATING, true", "RECONNECTING, true", "DISCONNECTED, true",
            "ACTIVE, true"})
    void onlyErrorHostsAreNotCounted(HostState state, boolean counted) {
        assertThat(state.counted()).isEqualTo(counted);
    }
}
