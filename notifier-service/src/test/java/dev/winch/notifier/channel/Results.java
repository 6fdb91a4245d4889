package dev.winch.notifier.channel;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Outcome;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Action results as the workers write them, for the channel tests. */
public final class Results {

    public static final Instant STARTED = Instant.parse("2026-03-01T10:15:30Z");
    public static final Instant FINISHED = Instant.parse("2026-03-01T10:15:32Z");

    private Results() {
    }

    /** The upgrader's apply-stage result for one changed container. */
    public static ActionResult upgrade(String reason) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("stage", "apply");
        details.put("repository", "library/nginx");
        details.put("containers", "web");
        details.put("container", "web");
        details.put("oldImage", "nginx:1.25");
        details.put("newImage", "nginx:1.26");
        details.put("oldImage.web", "nginx:1.25");
        details.put("newImage.web", "nginx:1.26");
        return new ActionResult("evt-42", "dev.winch.image.pushed", "demo-hook", "demo/deployment/web",
                Outcome.APPLIED, reason, details, STARTED, FINISHED, "upgrader");
    }

    public static ActionResult scale(String target, Outcome outcome, int from, int to) {
        return new ActionResult("evt-s" + from + to, "dev.winch.service.scale.requested", "alerts",
                target, outcome, "scaled from " + from + " to " + to,
                Map.of("from", String.valueOf(from), "to", String.valueOf(to), "replicasBefore",
                        String.valueOf(from), "replicasAfter", String.valueOf(to)),
                STARTED, FINISHED, "scaler");
    }

    public static Notification.Single single(ActionResult result) {
        return new Notification.Single("res-" + result.causeId(), result, "https://winch.example.com/api/v1/events/"
                + result.causeId());
    }

    public static Notification.Digest digest() {
        List<ActionResult> results = List.of(scale("demo/deployment/web", Outcome.APPLIED, 2, 3),
                scale("demo/deployment/web", Outcome.NOOP, 3, 3),
                scale("demo/deployment/web", Outcome.FAILED, 3, 9));
        return new Notification.Digest(List.of("r1", "r2", "r3"), results, "the last minute");
    }
}
