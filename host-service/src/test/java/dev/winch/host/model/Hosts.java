package dev.winch.host.model;

import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.ScaleAction;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Hosts and requests for the plan tests. */
final class Hosts {

    static final Map<String, String> GROUP = Map.of("pool", "workers", "zone", "a");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final MachineOwner MD = new MachineOwner("capi", MachineOwner.MACHINE_DEPLOYMENT, "workers-md");

    private Hosts() {
    }

    /** A host created {@code hour} hours after T0. */
    static Host host(String name, int hour, HostState state, Provider provider) {
        return new Host(name, GROUP, T0.plusSeconds(3600L * hour), state, provider,
                provider == Provider.CLUSTER_API ? Optional.of("capi/" + name) : Optional.empty(),
                provider == Provider.CLUSTER_API ? Optional.of(MD) : Optional.empty(), "");
    }

    static Host capi(String name, int hour, HostState state) {
        return host(name, hour, state, Provider.CLUSTER_API);
    }

    static Host custom(String name, int hour, HostState state) {
        return host(name, hour, state, Provider.CUSTOM);
    }

    static HostScaleRequested up(int amount, int min, int max) {
        return new HostScaleRequested("hosts-up", GROUP, ScaleAction.UP, amount, min, max, null);
    }

    static HostScaleRequested down(int amount, int min, int max, String deleteOption) {
        return new HostScaleRequested("hosts-down", GROUP, ScaleAction.DOWN, amount, min, max, deleteOption);
    }
}
