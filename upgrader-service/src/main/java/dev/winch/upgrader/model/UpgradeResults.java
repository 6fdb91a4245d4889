package dev.winch.upgrader.model;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.WorkloadRef;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results the upgrader publishes to {@code winch.results}, one shape for each stage, so notifications and the
 * delivery history can read them without knowing the upgrader.
 *
 * <p>Every result carries {@code details.stage}: {@code apply} for what the write did (published as soon as it is
 * stored), {@code rollout} for how the rollout it started ended (published later, by the tracker). Changed
 * containers are listed in {@code containers}; each has {@code oldImage.<container>} and
 * {@code newImage.<container>}, and when exactly one container changed, {@code container}, {@code oldImage} and
 * {@code newImage} too.
 */
public final class UpgradeResults {

    public static final String WORKER = "upgrader";
    public static final String STAGE = "stage";
    public static final String STAGE_APPLY = "apply";
    public static final String STAGE_ROLLOUT = "rollout";

    private UpgradeResults() {
    }

    /** A result about the whole push (bad input, a tag not taken, no workload found). */
    public static ActionResult forPush(String eventId, String causeType, ImagePushed push, Outcome outcome,
            String reason, Instant startedAt, Instant finishedAt) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put(STAGE, STAGE_APPLY);
        pushFacts(details, push);
        WorkloadRef workload = push.target().workload();
        return new ActionResult(eventId, causeType, push.receiverId(),
                workload == null ? push.repository() : workload.key(), outcome, reason, details, startedAt,
                finishedAt, WORKER);
    }

    /** A result of planning, and maybe writing, one workload. */
    public static ActionResult forPlan(String eventId, String causeType, ImagePushed push, UpgradePlan plan,
            Outcome outcome, String reason, Long generation, Instant startedAt, Instant finishedAt) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put(STAGE, STAGE_APPLY);
        pushFacts(details, push);
        changes(details, plan.changes());
        if (!plan.changes().isEmpty()) {
            details.put("restart", String.valueOf(plan.restart()));
        }
        if (plan.strategy() != null) {
            details.put("strategy", plan.strategy().describe());
            if (!plan.strategy().notes().isEmpty()) {
                details.put("strategyNotes", String.join("; ", plan.strategy().notes()));
            }
        }
        if (generation != null) {
            details.put("generation", String.valueOf(generation));
        }
        return new ActionResult(eventId, causeType, push.receiverId(), plan.target(), outcome, reason, details,
                startedAt, finishedAt, WORKER);
    }

    /** How a tracked rollout ended. */
    public static ActionResult forRollout(Rollout rollout, Outcome outcome, String reason,
            Map<String, String> extra, Instant finishedAt) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put(STAGE, STAGE_ROLLOUT);
        changes(details, rollout.changes());
        details.put("restart", String.valueOf(rollout.restart()));
        details.put("generation", String.valueOf(rollout.generation()));
        details.put("durationSeconds", String.valueOf(Duration.between(rollout.startedAt(), finishedAt).toSeconds()));
        details.putAll(extra);
        return new ActionResult(rollout.eventId(), rollout.causeType(), rollout.receiverId(),
                rollout.workload().key(), outcome, reason, details, rollout.startedAt(), finishedAt, WORKER);
    }

    /** The facts of the push every apply result repeats. */
    private static void pushFacts(Map<String, String> details, ImagePushed push) {
        details.put("repository", push.repository());
        details.put("tag", push.tag());
        if (push.digest() != null) {
            details.put("digest", push.digest());
        }
        String policy = push.target().tagPolicy();
        details.put("policy", policy == null || policy.isBlank() ? "exact" : policy);
    }

    private static void changes(Map<String, String> details, List<ContainerChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        details.put("containers", String.join(",", changes.stream().map(ContainerChange::container).toList()));
        if (changes.size() == 1) {
            details.put("container", changes.get(0).container());
            details.put("oldImage", changes.get(0).oldImage());
            details.put("newImage", changes.get(0).newImage());
        }
        for (ContainerChange change : changes) {
            details.put("oldImage." + change.container(), change.oldImage());
            details.put("newImage." + change.container(), change.newImage());
        }
    }
}
