package dev.winch.host;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.runtime.Blocking;
import dev.winch.host.kubernetes.HostGroups;
import dev.winch.host.kubernetes.HostLedger;
import dev.winch.host.kubernetes.NodeDrainer;
import dev.winch.host.model.DrainReport;
import dev.winch.host.model.Host;
import dev.winch.host.model.HostGroup;
import dev.winch.host.model.HostNames;
import dev.winch.host.model.HostPlan;
import dev.winch.host.model.Ledger;
import dev.winch.host.model.Provider;
import dev.winch.host.provider.HostProvider;
import dev.winch.host.provider.HostProvider.CloneOutcome;
import dev.winch.host.provider.HostProvider.CloneRequest;
import dev.winch.host.provider.HostProvider.RemoveOutcome;
import dev.winch.host.provider.HostProvider.RemoveRequest;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one host scale request on its group, as named steps: read the group and its ledger → a repeat? → a
 * claim to go on with? → plan → clone, or claim, drain, remove. Answers with the result to publish and, after a
 * clone, what the join follow-up should wait for; never publishes itself.
 *
 * <p><b>Exactly once in effect.</b> The event id is recorded where the change is made, in the same write: on the
 * MachineDeployment (or MachineSet) for a Cluster API clone or removal, in the group's ledger ConfigMap for the
 * rest. A scale-down, and an exec clone, first write a claim to the ledger naming the hosts (the names) they act on;
 * the event redelivered after a crash finds the claim and goes on with those, never choosing others. Once done, the
 * id moves to the ledger's applied list: a later redelivery is a DUPLICATE and changes nothing.
 *
 * <p>Failures of the API server itself fail the future: the consumer retries with backoff, then dead-letters.
 */
final class HostScaler {

    private static final Logger LOG = LoggerFactory.getLogger(HostScaler.class);
    static final String WORKER = "host";

    /** What a request came to: its result, and the clone to follow when there is one. */
    record Decision(ActionResult result, Optional<JoinTracker.Expected> join) {
    }

    private final HostGroups groups;
    private final HostLedger ledger;
    private final Blocking blocking;
    private final NodeDrainer drainer;
    private final Map<Provider, HostProvider> providers;
    private final Clock clock;
    private final String instance;
    private final Duration joinTimeout;

    HostScaler(HostGroups groups, HostLedger ledger, Blocking blocking, NodeDrainer drainer,
            List<HostProvider> providers, Clock clock, String instance, Duration joinTimeout) {
        this.groups = groups;
        this.ledger = ledger;
        this.blocking = blocking;
        this.drainer = drainer;
        this.providers = new EnumMap<>(Provider.class);
        providers.forEach(p -> this.providers.put(p.kind(), p));
        this.clock = clock;
        this.instance = instance;
        this.joinTimeout = joinTimeout;
    }

    /** The state a request is decided on: the group and its ledger, read together. */
    private record Read(HostGroup group, Ledger ledger) {
    }

    /** One request in progress: the event and what every result about it says. */
    private final class Job {
        final Event<HostScaleRequested> event;
        final HostScaleRequested request;
        final String key;
        final Instant started;
        final Map<String, String> details = new LinkedHashMap<>();

        Job(Event<HostScaleRequested> event) {
            this.event = event;
            this.request = event.data();
            this.key = request.partitionKey();
            this.started = clock.instant();
            details.put("action", request.action().name().toLowerCase(java.util.Locale.ROOT));
            details.put("amount", String.valueOf(request.amount()));
            details.put("min", String.valueOf(request.min()));
            details.put("max", String.valueOf(request.max()));
            if (request.action() == ScaleAction.DOWN) {
                details.put("deleteOption", request.deleteOption() == null ? "mostRecent" : request.deleteOption());
            }
            details.put("instance", instance);
        }

        Decision result(Outcome outcome, String reason, Map<String, String> more) {
            Map<String, String> all = new LinkedHashMap<>(details);
            all.putAll(more);
            return new Decision(new ActionResult(event.id(), event.type().type(), request.receiverId(), key, outcome,
                    reason, all, started, clock.instant(), WORKER), Optional.empty());
        }
    }

    Future<Decision> scale(Event<HostScaleRequested> event) {
        Job job = new Job(event);
        // A request unusable whatever the group holds is refused before anything is read: an empty selector would
        // otherwise list every Node of the cluster.
        if (HostPlan.of(job.request, List.of(), 0) instanceof HostPlan.Refused refused
                && HostPlan.INVALID.equals(refused.failure())) {
            return Future.succeededFuture(job.result(Outcome.FAILED, refused.reason(),
                    Map.of("failure", refused.failure())));
        }
        return blocking.call(() -> new Read(groups.read(job.request.hostSelector()), ledger.read(job.key)))
                .compose(read -> decide(job, read));
    }

    private Future<Decision> decide(Job job, Read read) {
        String id = job.event.id();
        if (read.ledger().isApplied(id)) {
            return Future.succeededFuture(duplicate(job, "its id is in the group's ledger "
                    + HostLedger.name(job.key)));
        }
        // A claim first: a removal stopped after its Cluster API write still has Nodes to delete (the provider
        // finds its id on the owner and changes nothing again).
        Optional<Ledger.Claim> claim = read.ledger().claim(id);
        if (claim.isPresent()) {
            LOG.atInfo().addKeyValue("eventId", id).addKeyValue("target", job.key)
                    .log("Going on with the hosts claimed on {}: {}", claim.get().at(), claim.get().hosts());
            return claim.get().action() == ScaleAction.DOWN
                    ? remove(job, read.group(), claim.get().hosts(), Map.of("resumed", "true"))
                    : resumeClone(job, read.group(), claim.get());
        }
        if (read.group().ownerEventIds().contains(id)) {
            // the Cluster API clone was written, the ledger not told before a crash: tell it now
            return applied(job).map(v -> duplicate(job, "its id is on the group's MachineDeployment"));
        }
        HostPlan plan = HostPlan.of(job.request, read.group().hosts(), read.group().pending());
        if (plan instanceof HostPlan.Refused refused) {
            return Future.succeededFuture(job.result(Outcome.FAILED, refused.reason(),
                    Map.of("failure", refused.failure())));
        }
        if (plan instanceof HostPlan.AtBound atBound) {
            // recorded: a no-op redelivered after a later change must stay a no-op
            return applied(job).map(v -> job.result(Outcome.NOOP, atBound.reason(),
                    Map.of("from", String.valueOf(atBound.size()), "to", String.valueOf(atBound.size()))));
        }
        if (plan instanceof HostPlan.Clone clone) {
            return clone(job, read.group(), clone);
        }
        HostPlan.Remove remove = (HostPlan.Remove) plan;
        List<String> chosen = remove.chosen().stream().map(Host::name).toList();
        Map<String, String> planned = Map.of("from", String.valueOf(remove.from()), "to",
                String.valueOf(remove.to()), "clamped", String.valueOf(remove.clamped()));
        return claim(job, ScaleAction.DOWN, chosen).compose(claimed -> claimed.decided()
                ? Future.succeededFuture(duplicate(job, "another replica carried it out meanwhile"))
                : remove(job, read.group(), claimed.claim().hosts(), claimed.mine() ? planned
                        : with(planned, "resumed", "true")));
    }

    /**
     * What claiming came to: the event was decided meanwhile (another replica, during a rebalance, finished it),
     * or the claim stored, which is this one ({@code mine}) or one another replica wrote first.
     */
    private record Claimed(boolean decided, Ledger.Claim claim, boolean mine) {
    }

    private Future<Claimed> claim(Job job, ScaleAction action, List<String> hosts) {
        String id = job.event.id();
        return blocking.call(() -> {
            HostLedger.Change change = ledger.change(job.key, l -> l.isApplied(id) || l.claim(id).isPresent() ? l
                    : l.withClaim(id, new Ledger.Claim(action, hosts, clock.instant())));
            Ledger stored = change.ledger();
            return new Claimed(stored.isApplied(id), stored.claim(id).orElse(null), change.written());
        });
    }

    // --- up ---

    private Future<Decision> clone(Job job, HostGroup group, HostPlan.Clone plan) {
        Host template = plan.template();
        Map<String, String> planned = new LinkedHashMap<>();
        planned.put("from", String.valueOf(plan.from()));
        planned.put("to", String.valueOf(plan.to()));
        planned.put("clamped", String.valueOf(plan.clamped()));
        planned.put("template", template.name());
        planned.put("provider", template.provider().word());
        HostProvider provider = providers.get(template.provider());
        if (provider == null) {
            return Future.succeededFuture(job.result(Outcome.FAILED, "host " + template.name() + " of group "
                    + job.key + " is managed by the exec provider, but no command is configured ("
                    + HostConfig.EXEC_COMMAND + "); nothing was changed", with(planned, "failure", "no-provider")));
        }
        if (template.provider() == Provider.EXEC) {
            List<String> names = HostNames.generate(template.name(), job.event.id(), plan.count(), group.names());
            return claim(job, ScaleAction.UP, names).compose(claimed -> claimed.decided()
                    ? Future.succeededFuture(duplicate(job, "another replica carried it out meanwhile"))
                    : runClone(job, group, provider, template, claimed.claim().hosts(), claimed.claim().hosts().size(),
                            claimed.mine() ? planned : with(planned, "resumed", "true")));
        }
        return runClone(job, group, provider, template, List.of(), plan.count(), planned);
    }

    /** An exec clone claimed before a crash: asks again for the names whose Nodes are not there yet. */
    private Future<Decision> resumeClone(Job job, HostGroup group, Ledger.Claim claim) {
        List<String> missing = claim.hosts().stream().filter(n -> !group.names().contains(n)).toList();
        Optional<Host> template = group.hosts().stream().filter(Host::cloneable)
                .filter(h -> h.provider() == Provider.EXEC).min(Host.OLDEST_FIRST);
        Map<String, String> resumed = Map.of("resumed", "true", "names", String.join(",", claim.hosts()));
        if (missing.isEmpty() || template.isEmpty() || !providers.containsKey(Provider.EXEC)) {
            return applied(job).map(v -> job.result(missing.isEmpty() ? Outcome.APPLIED : Outcome.FAILED,
                    missing.isEmpty() ? "the hosts claimed for this event are all in group " + job.key + ": "
                            + String.join(", ", claim.hosts())
                            : "the clone claimed for this event cannot go on: no exec host of group " + job.key
                                    + " is left to clone; missing: " + String.join(", ", missing), resumed));
        }
        return runClone(job, group, providers.get(Provider.EXEC), template.get(), missing, missing.size(), resumed);
    }

    private Future<Decision> runClone(Job job, HostGroup group, HostProvider provider, Host template,
            List<String> names, int count, Map<String, String> planned) {
        return provider.clone(new CloneRequest(job.event.id(), job.key, template, names, count))
                .compose(outcome -> {
                    if (outcome.duplicate()) {
                        return applied(job).map(v -> duplicate(job, "its id is on "
                                + template.owner().map(Object::toString).orElse("the provider's object")));
                    }
                    if (outcome.made() == 0 && template.provider() == Provider.CLUSTER_API) {
                        // nothing was written: a redelivery may try again
                        return Future.succeededFuture(job.result(Outcome.FAILED, "could not clone "
                                + template.name() + ": " + outcome.failure().orElse("no machine was made")
                                + "; nothing was changed", merge(planned, outcome.details(), "failure",
                                "provider")));
                    }
                    return applied(job).map(v -> cloned(job, group, template, count, outcome, planned));
                });
    }

    private Decision cloned(Job job, HostGroup group, Host template, int asked, CloneOutcome outcome,
            Map<String, String> planned) {
        Map<String, String> details = merge(planned, outcome.details(), "made", String.valueOf(outcome.made()));
        if (!outcome.names().isEmpty()) {
            details.put("names", String.join(",", outcome.names()));
        }
        if (outcome.made() == 0) {
            return job.result(Outcome.FAILED, "could not clone " + template.name() + ": "
                    + outcome.failure().orElse("no host was made"), with(details, "failure", "provider"));
        }
        String how = template.provider() == Provider.CLUSTER_API
                ? "asked Cluster API for " + outcome.made() + " more host(s) like " + template.name() + " ("
                        + template.owner().orElseThrow() + ")"
                : "made " + outcome.made() + " host(s) like " + template.name() + " with the exec provider: "
                        + said(outcome.names(), details);
        String reason = how + ", group " + job.key + " " + planned.getOrDefault("from", "?") + " → "
                + planned.getOrDefault("to", "?") + ("true".equals(planned.get("clamped")) ? " (clamped at max "
                + job.request.max() + ")" : "") + outcome.failure().map(f -> "; " + (asked - outcome.made())
                + " not made: " + f).orElse("");
        Instant now = clock.instant();
        JoinTracker.Expected join = new JoinTracker.Expected(job.event.id(), job.event.type().type(),
                job.request.receiverId(), job.key, job.request.hostSelector(), group.names(), outcome.names(),
                outcome.made(), now, now.plus(joinTimeout), Map.of("action", "up", "instance", instance,
                        "template", template.name()));
        Decision decision = job.result(Outcome.APPLIED, reason, details);
        return new Decision(decision.result(), Optional.of(join));
    }

    // --- down ---

    /**
     * Drains the claimed hosts that are still in the group (those gone were removed before a crash), then asks
     * each drained host's provider to remove its machine and deletes its Node. Blocked hosts stay cordoned.
     */
    private Future<Decision> remove(Job job, HostGroup group, List<String> claimed, Map<String, String> planned) {
        String id = job.event.id();
        Map<String, Host> present = group.hosts().stream().collect(Collectors.toMap(Host::name, h -> h));
        List<String> gone = claimed.stream().filter(n -> !present.containsKey(n)).toList();
        // a host whose provider is not configured is not drained: its machine could not be removed afterwards
        Map<String, String> unmanaged = new LinkedHashMap<>();
        claimed.stream().filter(present::containsKey).map(present::get)
                .filter(h -> !providers.containsKey(h.provider()))
                .forEach(h -> unmanaged.put(h.name(), "no " + h.provider().word() + " provider is configured ("
                        + HostConfig.EXEC_COMMAND + "); it was not drained"));
        List<String> toDrain = claimed.stream().filter(present::containsKey)
                .filter(n -> !unmanaged.containsKey(n)).toList();
        Map<String, String> details = new LinkedHashMap<>(planned);
        details.put("hosts", String.join(",", claimed));
        Future<List<DrainReport>> drained = toDrain.isEmpty() ? Future.succeededFuture(List.of())
                : drainer.drainAll(toDrain, id);
        return drained.compose(reports -> {
            Map<String, String> blocked = new LinkedHashMap<>();
            List<Host> ready = new ArrayList<>();
            int evicted = 0;
            for (DrainReport report : reports) {
                evicted += report.evicted().size();
                if (report.drained()) {
                    ready.add(present.get(report.node()));
                } else {
                    blocked.put(report.node(), describe(report.blocked()));
                }
            }
            details.put("evicted", String.valueOf(evicted));
            return removeMachines(job, ready).map(outcome -> withFailures(outcome, unmanaged))
                    .compose(outcome -> deleteNodes(outcome.removed())
                    .compose(v -> applied(job))
                    .map(v -> removed(job, claimed, gone, outcome, blocked, details)));
        });
    }

    private Future<RemoveOutcome> removeMachines(Job job, List<Host> hosts) {
        Map<Provider, List<Host>> byProvider = new EnumMap<>(Provider.class);
        hosts.forEach(h -> byProvider.computeIfAbsent(h.provider(), p -> new ArrayList<>()).add(h));
        Future<RemoveOutcome> chain = Future.succeededFuture(new RemoveOutcome(List.of(), Map.of(), Map.of()));
        for (Map.Entry<Provider, List<Host>> entry : byProvider.entrySet()) {
            HostProvider provider = providers.get(entry.getKey());
            chain = chain.compose(sofar -> {
                if (provider == null) {
                    Map<String, String> failed = new LinkedHashMap<>(sofar.failed());
                    entry.getValue().forEach(h -> failed.put(h.name(), "no " + entry.getKey().word()
                            + " provider is configured (" + HostConfig.EXEC_COMMAND + ")"));
                    return Future.succeededFuture(new RemoveOutcome(sofar.removed(), failed, sofar.details()));
                }
                return provider.remove(new RemoveRequest(job.event.id(), job.key, entry.getValue()))
                        .map(more -> {
                            List<String> removed = new ArrayList<>(sofar.removed());
                            removed.addAll(more.removed());
                            Map<String, String> failed = new LinkedHashMap<>(sofar.failed());
                            failed.putAll(more.failed());
                            Map<String, String> details = new LinkedHashMap<>(sofar.details());
                            details.putAll(more.details());
                            return new RemoveOutcome(removed, failed, details);
                        });
            });
        }
        return chain;
    }

    private static RemoveOutcome withFailures(RemoveOutcome outcome, Map<String, String> more) {
        if (more.isEmpty()) {
            return outcome;
        }
        Map<String, String> failed = new LinkedHashMap<>(outcome.failed());
        failed.putAll(more);
        return new RemoveOutcome(outcome.removed(), failed, outcome.details());
    }

    private Future<Void> deleteNodes(List<String> names) {
        if (names.isEmpty()) {
            return Future.succeededFuture();
        }
        return blocking.run(() -> names.forEach(groups::deleteNode));
    }

    private Decision removed(Job job, List<String> claimed, List<String> gone, RemoveOutcome outcome,
            Map<String, String> blocked, Map<String, String> details) {
        // in the order they were chosen, whichever provider removed them
        List<String> removed = claimed.stream()
                .filter(name -> gone.contains(name) || outcome.removed().contains(name)).toList();
        Map<String, String> all = new LinkedHashMap<>(details);
        all.putAll(outcome.details());
        all.put("removed", String.join(",", removed));
        blocked.forEach((host, pods) -> all.put("blocked." + host, pods));
        outcome.failed().forEach((host, why) -> all.put("failed." + host, why));
        StringBuilder reason = new StringBuilder();
        reason.append(removed.isEmpty() ? "removed no host" : "removed " + removed.size() + " host(s)")
                .append(" of group ").append(job.key);
        if (!removed.isEmpty()) {
            reason.append(": ").append(said(removed, all));
        }
        if (details.containsKey("from")) {
            reason.append(" (").append(details.get("from")).append(" → ").append(details.get("to"))
                    .append("true".equals(details.get("clamped")) ? ", clamped at min " + job.request.min() : "")
                    .append(")");
        }
        blocked.forEach((host, pods) -> reason.append("; ").append(host)
                .append(" could not be drained and is left cordoned, blocked by ").append(pods));
        outcome.failed().forEach((host, why) -> reason.append("; ").append(host)
                .append(" was not removed: ").append(why));
        Outcome result = removed.isEmpty() ? Outcome.FAILED : Outcome.APPLIED;
        if (removed.isEmpty()) {
            all.put("failure", blocked.isEmpty() ? "provider" : "drain-blocked");
        }
        if (claimed.isEmpty()) {
            reason.append("; nothing was chosen");
        }
        return job.result(result, reason.toString(), all);
    }

    /** The hosts, each with what the exec provider's command said about it ({@code h-1 (exited 0: made i-0a)}). */
    private static String said(List<String> hosts, Map<String, String> details) {
        return hosts.stream().map(host -> details.containsKey("exec." + host)
                ? host + " (" + details.get("exec." + host) + ")" : host).collect(Collectors.joining(", "));
    }

    private static String describe(Map<String, String> blocked) {
        if (blocked.isEmpty()) {
            return "pods that did not go in time";
        }
        return blocked.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "));
    }

    // --- the ledger ---

    private Future<Void> applied(Job job) {
        String id = job.event.id();
        return blocking.run(() -> ledger.change(job.key, l -> l.isApplied(id) ? l : l.withApplied(id)));
    }

    private Decision duplicate(Job job, String where) {
        return job.result(Outcome.DUPLICATE, "event " + job.event.id() + " was already carried out on group "
                + job.key + " (" + where + "); nothing was changed", Map.of());
    }

    private static Map<String, String> with(Map<String, String> details, String key, String value) {
        Map<String, String> all = new LinkedHashMap<>(details);
        all.put(key, value);
        return all;
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b, String key,
            String value) {
        Map<String, String> all = new LinkedHashMap<>(a);
        all.putAll(b);
        all.put(key, value);
        return all;
    }
}
