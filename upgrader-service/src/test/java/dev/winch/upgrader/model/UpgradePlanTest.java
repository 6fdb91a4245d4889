package dev.winch.upgrader.model;

import static dev.winch.upgrader.model.Pushes.container;
import static dev.winch.upgrader.model.Pushes.workload;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ImagePushed.UpgradeTarget;
import dev.winch.common.event.ImagePushed;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.upgrader.model.UpgradePlan.Decision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpgradePlanTest {

    @Test
    void selectorStyleChangesOnlyContainersOfThePushedRepository() {
        UpgradeRequest request = Pushes.valid("e1", Pushes.selector("nginx", "1.26", null, null));

        UpgradePlan plan = UpgradePlan.plan(request, workload("deployment", Map.of(),
                container("web", "docker.io/library/nginx:1.25"), container("cache", "redis:7"),
                container("proxy", "bitnami/nginx:1.25")));

        assertThat(plan.decision()).isEqualTo(Decision.APPLY);
        assertThat(plan.changes()).containsExactly(
                new ContainerChange("web", "docker.io/library/nginx:1.25", "docker.io/library/nginx:1.26"));
        assertThat(plan.restart()).isFalse();
        assertThat(plan.reason()).isEqualTo("setting demo/deployment/web container web from "
                + "docker.io/library/nginx:1.25 to docker.io/library/nginx:1.26");
    }

    @Test
    void aContainerOfAnotherRegistryPortIsAnotherRepository() {
        UpgradeRequest request = Pushes.valid("e1", Pushes.selector("registry.example.com:5000/team/app", "2", null,
                null));

        UpgradePlan plan = UpgradePlan.plan(request, workload("deployment", Map.of(),
                container("a", "registry.example.com/team/app:1"), container("b", "registry.example.com:5001/team/app:1"),
                container("c", "registry.example.com:5000/team/app@" + Pushes.SHA)));

        assertThat(plan.changes()).extracting(ContainerChange::container).containsExactly("c");
        assertThat(plan.changes().get(0).newImage()).isEqualTo("registry.example.com:5000/team/app:2");
    }

    @Test
    void aWorkloadWithNoContainerOfTheRepositoryIsLeftAloneAndTheReasonListsWhatItRuns() {
        UpgradeRequest request = Pushes.valid("e1", Pushes.selector("nginx", "1.26", null, null));

        UpgradePlan plan = UpgradePlan.plan(request, workload("statefulset", Map.of(), container("db", "postgres:16")));

        assertThat(plan.decision()).isEqualTo(Decision.NOOP);
        assertThat(plan.reason()).isEqualTo("no container of demo/statefulset/web runs nginx (db=postgres:16); "
                + "it was left alone");
    }

    @Test
    void anUnparsableContainerImageIsNotThePushedRepository() {
        UpgradeRequest request = Pushes.valid("e1", Pushes.selector("nginx", "1.26", null, null));

        UpgradePlan plan = UpgradePlan.plan(request, workload("deployment", Map.of(), container("web", "NGINX:!")));

        assertThat(plan.decision()).isEqualTo(Decision.NOOP);
    }

    @Test
    void explicitStyleSetsTheNamedContainerWhateverItRunsAsTheSeedToolDid() {
        UpgradeRequest request = Pushes.valid("e1", Pushes.explicit(
                "registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook", "v2", "app"));

        UpgradePlan plan = UpgradePlan.plan(request, workload("deployment", Map.of(),
                container("sidecar", "registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook:v1"),
                container("app", "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:v1")));

        assertThat(plan.changes()).containsExactly(new ContainerChange("app",
                "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:v1",
                "registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook:v2"));
    }

    @Test
    void explicitStyleFailsWhenTheNamedContainerIsNotInThePod() {
        UpgradeRequest request = Pushes.valid("e1", Pushes.explicit("nginx", "1.26", "missing"));

        UpgradePlan plan = UpgradePlan.plan(request, workload("deployment", Map.of(), container("web", "nginx:1"),
                container("cache", "redis:7")));

        assertThat(plan.decision()).isEqualTo(Decision.FAIL);
        assertThat(plan.reason()).isEqualTo("container 'missing' is not in the pod template of demo/deployment/web; "
                + "it has [web, cache]; nothing changed");
        assertThat(plan.changes()).isEmpty();
    }

    @Test
    void explicitStyleWithoutAContainerChangesEveryContainerOfTheRepository() {
        UpgradeRequest request = Pushes.valid("e1", Pushes.explicit("nginx", "1.26", null));

        UpgradePlan plan = UpgradePlan.plan(request, workload("deployment", Map.of(), container("a", "nginx:1"),
                container("b", "redis:7"), container("c", "library/nginx")));

        assertThat(plan.changes()).extracting(ContainerChange::newImage)
                .containsExactly("nginx:1.26", "library/nginx:1.26");
        assertThat(plan.reason()).startsWith("setting demo/deployment/web containers a from nginx:1 to nginx:1.26, c");
    }

    @Test
    void theSameTagPushedAgainRestartsThePods() {
        UpgradeRequest request = Pushes.valid("e1", Pushes.explicit("hongxiaolu/iperf3", "latest", "web"));

        UpgradePlan plan = UpgradePlan.plan(request, workload("deployment", Map.of(),
                container("web", "hongxiaolu/iperf3:latest")));

        assertThat(plan.decision()).isEqualTo(Decision.APPLY);
        assertThat(plan.restart()).isTrue();
        assertThat(plan.reason()).isEqualTo("restarting demo/deployment/web (container web) on a new push of "
                + "hongxiaolu/iperf3:latest");
    }

    @Test
    void aPinnedDigestReplacesTheOldOneAndKeepsTheTag() {
        ImagePushed push = new ImagePushed("r", "nginx", "latest", Pushes.SHA, null, "registry",
                new UpgradeTarget(null, null, Map.of("app", "web"), List.of(), null, null, null, null, null, true,
                        null, null));

        UpgradePlan plan = UpgradePlan.plan(Pushes.valid("e1", push), workload("deployment", Map.of(),
                container("web", "nginx:latest@sha256:" + "0".repeat(64))));

        assertThat(plan.changes().get(0).newImage()).isEqualTo("nginx:latest@" + Pushes.SHA);
        assertThat(plan.restart()).isFalse();
    }

    @Test
    void aRedeliveredEventIsADuplicateAndChangesNothing() {
        UpgradeRequest request = Pushes.valid("e1", Pushes.explicit("nginx", "1.26", "web"));

        UpgradePlan plan = UpgradePlan.plan(request, workload("deployment",
                Map.of(AppliedEvents.ANNOTATION, "e0,e1"), container("web", "nginx:1.26")));

        assertThat(plan.decision()).isEqualTo(Decision.DUPLICATE);
        assertThat(plan.changes()).isEmpty();
    }

    @Test
    void semverPolicyDecidesPerContainerFromWhatItRuns() {
        UpgradeRequest request = Pushes.valid("e1", Pushes.selector("nginx", "1.26.1", null, "semver:minor"));

        UpgradePlan upgrade = UpgradePlan.plan(request, workload("deployment", Map.of(),
                container("web", "nginx:1.25.3")));
        UpgradePlan downgrade = UpgradePlan.plan(request, workload("deployment", Map.of(),
                container("web", "nginx:1.27.0")));
        UpgradePlan major = UpgradePlan.plan(request, workload("deployment", Map.of(),
                container("web", "nginx:0.9.0")));

        assertThat(upgrade.decision()).isEqualTo(Decision.APPLY);
        assertThat(downgrade.decision()).isEqualTo(Decision.SKIP);
        assertThat(downgrade.reason()).isEqualTo("container web: tag 1.26.1 is older than the running 1.27.0; "
                + "policy semver:minor never downgrades; demo/deployment/web was not changed");
        assertThat(major.decision()).isEqualTo(Decision.SKIP);
    }

    @Test
    void theReceiversBatchSettingsBecomeTheWorkloadsStrategy() {
        ImagePushed push = Pushes.withTarget(Pushes.selector("nginx", "1.26", null, null),
                new UpgradeTarget(null, null, Map.of("app", "web"), List.of(), 2, 5, true));

        UpgradePlan plan = UpgradePlan.plan(Pushes.valid("e1", push), workload("daemonset", Map.of(),
                container("web", "nginx:1.25")));

        assertThat(plan.strategy()).isEqualTo(new RolloutStrategy.Settings(2, 0, 5, List.of()));
    }

    @Test
    void noBatchSettingsKeepTheWorkloadsStrategy() {
        UpgradePlan plan = UpgradePlan.plan(Pushes.valid("e1", Pushes.selector("nginx", "1.26", null, null)),
                workload("deployment", Map.of(), container("web", "nginx:1.25")));

        assertThat(plan.strategy()).isNull();
    }
}
