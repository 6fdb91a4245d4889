package dev.winch.upgrader.model;

import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.ImagePushed.UpgradeTarget;
import dev.winch.common.event.WorkloadRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Image pushes and workloads for the pure tests. */
public final class Pushes {

    public static final Duration TIMEOUT = Duration.ofMinutes(10);
    public static final String SHA = "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8";

    private Pushes() {
    }

    /** A Rancher 1.x style push of {@code repository:tag} selecting {@code app=web}. */
    public static ImagePushed selector(String repository, String tag, String followTag, String policy) {
        return new ImagePushed("receiver-1", repository, tag, null, "someone", "dockerhub",
                new UpgradeTarget(null, null, Map.of("app", "web"), List.of(), null, null, null, followTag, policy,
                        null, null, null));
    }

    /** A seed 001 style push naming {@code demo/deployment/web}, container {@code container}. */
    public static ImagePushed explicit(String repository, String tag, String container) {
        return new ImagePushed("receiver-1", repository, tag, null, null, "dockerhub",
                UpgradeTarget.explicit(new WorkloadRef("demo", "deployment", "web"), container));
    }

    public static ImagePushed withTarget(ImagePushed push, UpgradeTarget target) {
        return new ImagePushed(push.receiverId(), push.repository(), push.tag(), push.digest(), push.pusher(),
                push.payloadFormat(), target);
    }

    public static UpgradeRequest valid(String eventId, ImagePushed push) {
        UpgradeRequest.Check check = UpgradeRequest.check(eventId, push, TIMEOUT);
        if (check instanceof UpgradeRequest.Valid valid) {
            return valid.request();
        }
        throw new AssertionError("expected a valid request, got " + check);
    }

    public static WorkloadSnapshot workload(String kind, Map<String, String> annotations,
            WorkloadSnapshot.Container... containers) {
        return new WorkloadSnapshot(new WorkloadRef("demo", kind, "web"), Map.of("app", "web"), annotations,
                List.of(containers));
    }

    public static WorkloadSnapshot.Container container(String name, String image) {
        return new WorkloadSnapshot.Container(name, image);
    }
}
