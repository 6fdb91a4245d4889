package dev.winch.upgrader.model;

import static dev.winch.upgrader.model.Pushes.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.ImagePushed.UpgradeTarget;
import dev.winch.common.event.WorkloadRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpgradeRequestTest {

    @Test
    void aTagTheReceiverDoesNotFollowIsNotTakenAndTheReasonSaysWhy() {
        UpgradeRequest.Check check = UpgradeRequest.check("e1", Pushes.selector("nginx", "1.2", "latest", null),
                TIMEOUT);

        assertThat(check).isEqualTo(new UpgradeRequest.NotTaken(
                "tag 1.2 is not followed; this receiver follows tag latest; nothing was changed"));
    }

    @Test
    void globAndRegexpPoliciesDecideBeforeAnyWorkloadIsRead() {
        assertThat(UpgradeRequest.check("e1", Pushes.selector("nginx", "release-1", null, "glob:build-*"), TIMEOUT))
                .isInstanceOf(UpgradeRequest.NotTaken.class);
        assertThat(UpgradeRequest.check("e1", Pushes.selector("nginx", "build-7", null, "glob:build-*"), TIMEOUT))
                .isInstanceOf(UpgradeRequest.Valid.class);
        assertThat(UpgradeRequest.check("e1", Pushes.selector("nginx", "v2", null, "regexp:^v1"), TIMEOUT))
                .isInstanceOf(UpgradeRequest.NotTaken.class);
    }

    @Test
    void aSemverPolicyIsLeftToEachWorkload() {
        assertThat(UpgradeRequest.check("e1", Pushes.selector("nginx", "latest", null, "semver:minor"), TIMEOUT))
                .isInstanceOf(UpgradeRequest.Valid.class);
    }

    @Test
    void aPushedRepositoryThatDoesNotParseIsInvalid() {
        UpgradeRequest.Check check = UpgradeRequest.check("e1", Pushes.explicit("Not/A Repo", "1.0", "web"),
                TIMEOUT);

        assertThat(check).isInstanceOf(UpgradeRequest.Invalid.class);
        assertThat(((UpgradeRequest.Invalid) check).reason())
                .startsWith("the pushed repository does not parse: image reference 'Not/A Repo'");
    }

    @Test
    void aPushedRepositoryWithATagOrAnInvalidTagIsInvalid() {
        assertThat(UpgradeRequest.check("e1", Pushes.explicit("nginx:1.0", "1.1", "web"), TIMEOUT))
                .isInstanceOf(UpgradeRequest.Invalid.class);
        assertThat(UpgradeRequest.check("e1", Pushes.explicit("nginx", "-bad", "web"), TIMEOUT))
                .isEqualTo(new UpgradeRequest.Invalid("the pushed tag '-bad' is not a valid image tag"));
    }

    @Test
    void anUnreadablePolicyOrBatchSettingIsInvalid() {
        ImagePushed push = Pushes.selector("nginx", "1.0", null, "newest");
        assertThat(UpgradeRequest.check("e1", push, TIMEOUT)).isInstanceOf(UpgradeRequest.Invalid.class);

        ImagePushed zeroBatch = Pushes.withTarget(push, new UpgradeTarget(null, null, Map.of("app", "web"),
                List.of(), 0, null, null));
        assertThat(UpgradeRequest.check("e1", zeroBatch, TIMEOUT))
                .isEqualTo(new UpgradeRequest.Invalid("batch size must be at least 1, got 0"));
    }

    @Test
    void anEmptySelectorWouldUpgradeEverythingSoItIsRefused() {
        ImagePushed push = Pushes.withTarget(Pushes.selector("nginx", "1.0", null, null),
                new UpgradeTarget(null, null, Map.of(), List.of(), null, null, null));

        assertThat(UpgradeRequest.check("e1", push, TIMEOUT)).isInstanceOf(UpgradeRequest.Invalid.class);
    }

    @Test
    void aReplicaSetIsNotUpgradedDirectly() {
        ImagePushed push = Pushes.withTarget(Pushes.explicit("nginx", "1.0", "web"),
                UpgradeTarget.explicit(new WorkloadRef("demo", "replicaset", "web-5d4f"), "web"));

        assertThat(UpgradeRequest.check("e1", push, TIMEOUT)).isInstanceOf(UpgradeRequest.Invalid.class);
    }

    @Test
    void pinsTheDigestOnlyWhenAskedAndOnlyAValidOne() {
        ImagePushed base = new ImagePushed("r", "hub.harbor.com/test-webhook/debian", "latest", Pushes.SHA, null,
                "harbor", new UpgradeTarget(null, null, Map.of("app", "web"), List.of(), null, null, null, null,
                        null, true, 30, true));

        UpgradeRequest request = Pushes.valid("e1", base);
        assertThat(request.pushed().toString()).isEqualTo("hub.harbor.com/test-webhook/debian:latest@" + Pushes.SHA);
        assertThat(request.rolloutTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(request.rollbackOnFailure()).isTrue();

        UpgradeRequest unpinned = Pushes.valid("e1", Pushes.withTarget(base, new UpgradeTarget(null, null,
                Map.of("app", "web"), List.of(), null, null, null)));
        assertThat(unpinned.pushed().toString()).isEqualTo("hub.harbor.com/test-webhook/debian:latest");
        assertThat(unpinned.rolloutTimeout()).isEqualTo(TIMEOUT);
        assertThat(unpinned.rollbackOnFailure()).isFalse();

        ImagePushed badDigest = new ImagePushed("r", base.repository(), "latest", "sha256:nope", null, "harbor",
                base.target());
        assertThat(UpgradeRequest.check("e1", badDigest, TIMEOUT)).isInstanceOf(UpgradeRequest.Invalid.class);
    }
}
