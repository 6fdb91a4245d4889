package dev.winch.host;

import dev.winch.common.event.Event;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.EventConsumer;
import dev.winch.common.runtime.ResultReporter;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.host.kubernetes.ClusterApiMachines;
import dev.winch.host.kubernetes.ClusterApiProvider;
import dev.winch.host.kubernetes.HostGroups;
import dev.winch.host.kubernetes.HostLedger;
import dev.winch.host.kubernetes.NodeDrainer;
import dev.winch.host.provider.CustomHosts;
import dev.winch.host.provider.HostProvider;
import dev.winch.host.provider.exec.ExecProvider;
import dev.winch.host.provider.exec.ExecRunner;
import dev.winch.kubernetes.KubernetesClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * The host service: consumes host-group scale requests ({@code winch.host.scale}, key = the canonical selector, so
 * one group is handled by one replica at a time, in order), clones the group's oldest cloneable host or removes
 * hosts in the seed's state order, and reports one result per request on {@code winch.results} before the offset is
 * committed; after a clone, a second result says whether the new hosts joined and became Ready ({@link JoinTracker}).
 * See {@link HostScaler} for the steps and the exactly-once record.
 */
public final class HostService {

    private final ServiceRuntime runtime;
    private final HostScaler scaler;
    private final JoinTracker joins;
    private final ResultReporter results;
    private final Counter cloned;
    private final Counter removed;
    private final Counter blocked;
    private volatile EventConsumer consumer;

    public HostService(ServiceRuntime runtime, KubernetesClient client, HostConfig config, NodeDrainer drainer,
            ExecRunner runner) {
        this.runtime = runtime;
        this.results = ResultReporter.of(runtime);
        HostGroups groups = new HostGroups(client);
        List<HostProvider> providers = new ArrayList<>();
        providers.add(new ClusterApiProvider(new ClusterApiMachines(client), runtime.blocking()));
        providers.add(new CustomHosts());
        config.execCommand().ifPresent(command -> providers.add(new ExecProvider(runner, command,
                config.execTimeout(), (node, group) -> runtime.blocking().call(() -> groups.describe(node, group)))));
        this.scaler = new HostScaler(groups, new HostLedger(client, config.namespace()), runtime.blocking(), drainer,
                providers, runtime.clock(), config.instanceId(), config.joinTimeout());
        this.joins = new JoinTracker(runtime.vertx(), runtime.blocking(), groups::readiness, results,
                runtime.clock(), config.joinPollInterval());
        this.cloned = Counter.builder("winch_host_hosts_cloned_total")
                .description("Machines a provider was asked for and accepted").register(runtime.registry());
        this.removed = Counter.builder("winch_host_hosts_removed_total")
                .description("Hosts drained, their machines removed and their Nodes deleted").register(runtime.registry());
        this.blocked = Counter.builder("winch_host_drains_blocked_total")
                .description("Hosts left cordoned because their drain timed out").register(runtime.registry());
        Gauge.builder("winch_host_clones_followed", joins, JoinTracker::size)
                .description("Clones whose hosts are awaited").register(runtime.registry());
        KubernetesClients.attach(runtime, client);
    }

    public Future<Void> start() {
        joins.start();
        runtime.onClose(joins::close);
        return runtime.consume(Topics.HOST_SCALE, HostScaleRequested.class, this::handle)
                .onSuccess(started -> consumer = started)
                .mapEmpty();
    }

    /** True once the consumer group gave this replica at least one partition. */
    public boolean hasAssignment() {
        EventConsumer current = consumer;
        return current != null && current.hasAssignment();
    }

    /** Clones being followed until their hosts join. */
    int followedClones() {
        return joins.size();
    }

    /** Reads the followed groups once now, rather than at the next poll interval. */
    Future<Void> pollJoins() {
        return joins.poll();
    }

    private Future<Void> handle(Event<HostScaleRequested> event) {
        return scaler.scale(event).compose(decision -> results.report(decision.result()).onSuccess(v -> {
            count(decision.result());
            decision.join().ifPresent(joins::track);
        }));
    }

    /** Hosts cloned, removed and left cordoned by a blocked drain, from the result's details. */
    private void count(dev.winch.common.event.ActionResult result) {
        var details = result.details();
        if (result.outcome() == dev.winch.common.event.Outcome.DUPLICATE) {
            return;
        }
        int made = Integer.parseInt(details.getOrDefault("made", "0"));
        if (made > 0) {
            cloned.increment(made);
        }
        String removedHosts = details.getOrDefault("removed", "");
        if (!removedHosts.isEmpty()) {
            removed.increment(removedHosts.split(",").length);
        }
        long blockedHosts = details.keySet().stream().filter(k -> k.startsWith("blocked.")).count();
        if (blockedHosts > 0) {
            blocked.increment(blockedHosts);
        }
    }
}
