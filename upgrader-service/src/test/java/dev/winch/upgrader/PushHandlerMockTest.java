package dev.winch.upgrader;

import static dev.winch.upgrader.Harness.container;
import static dev.winch.upgrader.Harness.only;
import static dev.winch.upgrader.Harness.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.ImagePushed.UpgradeTarget;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.WorkloadRef;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.upgrader.kubernetes.Workload;
import dev.winch.upgrader.kubernetes.WorkloadObjects;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/** The upgrader's handling of a push, against the Kubernetes mock server; each test in its own namespaces. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushHandlerMockTest {

    private static final String PUSHED = "dev.winch.image.pushed";

    private Harness harness;

    @BeforeAll
    void start() {
        harness = new Harness();
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    private static String ns(TestInfo test) {
        String name = test.getTestMethod().orElseThrow().getName().toLowerCase();
        return name.length() > 50 ? name.substring(0, 50) : name;
    }

    private static ImagePushed selectorPush(String repository, String tag, Map<String, String> selector,
            List<String> namespaces) {
        return new ImagePushed("web-upgrade", repository, tag, null, "ci", "dockerhub",
                new UpgradeTarget(null, null, selector, namespaces, null, null, null));
    }

    private static ImagePushed explicitPush(String repository, String tag, WorkloadRef workload, String container) {
        return new ImagePushed("demo-web", repository, tag, null, null, "dockerhub",
                UpgradeTarget.explicit(workload, container));
    }

    // ---------------------------------------------------------------- selector style (seed 000)

    @Test
    void selectorStyleUpgradesEveryMatchingDeploymentStatefulSetAndDaemonSetInTheAllowedNamespaces(TestInfo test) {
        String a = ns(test) + "-a";
        String b = ns(test) + "-b";
        String other = ns(test) + "-c";
        Map<String, String> web = Map.of("app", "web", "tier", "front");
        harness.deployment(a, "web", web, container("web", "nginx:1.25"));
        harness.statefulSet(a, "web-cache", web, container("web", "docker.io/library/nginx:1.25"));
        harness.daemonSet(a, "web-agent", web, container("web", "index.docker.io/library/nginx:1.24"));
        harness.deployment(b, "web", web, container("web", "nginx:1.25"));
        harness.deployment(a, "api", Map.of("app", "api"), container("api", "nginx:1.25"));
        harness.deployment(other, "web", web, container("web", "nginx:1.25"));
        String untouched = harness.resourceVersion(ref(other, "deployment", "web"));

        List<ActionResult> results = harness.handle(selectorPush("nginx", "1.26", Map.of("app", "web"),
                List.of(a, b)));

        assertThat(results).extracting(ActionResult::target).containsExactly(
                a + "/deployment/web", a + "/statefulset/web-cache", a + "/daemonset/web-agent", b + "/deployment/web");
        assertThat(results).extracting(ActionResult::outcome).containsOnly(Outcome.APPLIED);
        assertThat(harness.images(ref(a, "deployment", "web"))).containsEntry("web", "nginx:1.26");
        assertThat(harness.images(ref(a, "statefulset", "web-cache")))
                .containsEntry("web", "docker.io/library/nginx:1.26");
        assertThat(harness.images(ref(a, "daemonset", "web-agent")))
                .containsEntry("web", "index.docker.io/library/nginx:1.26");
        assertThat(harness.images(ref(b, "deployment", "web"))).containsEntry("web", "nginx:1.26");
        assertThat(harness.images(ref(a, "deployment", "api"))).containsEntry("api", "nginx:1.25");
        assertThat(harness.resourceVersion(ref(other, "deployment", "web"))).isEqualTo(untouched);
        ActionResult first = results.get(0);
        assertThat(first.details()).containsEntry("stage", "apply").containsEntry("container", "web")
                .containsEntry("oldImage", "nginx:1.25").containsEntry("newImage", "nginx:1.26")
                .containsEntry("restart", "false").containsEntry("repository", "nginx").containsEntry("tag", "1.26")
                .containsEntry("policy", "exact");
        assertThat(first.receiverId()).isEqualTo("web-upgrade");
        assertThat(first.causeType()).isEqualTo(PUSHED);
        assertThat(harness.get(ref(a, "deployment", "web")).getMetadata().getAnnotations())
                .containsEntry(AppliedEvents.ANNOTATION, first.causeId());
    }

    @Test
    void anEmptySelectorValueMatchesAnyValueOfThatKey(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "opted-in", Map.of("winch.dev/upgrade", "yes"), container("c", "team/app:1"));
        harness.deployment(n, "also-opted-in", Map.of("winch.dev/upgrade", ""), container("c", "team/app:1"));
        harness.deployment(n, "not-opted-in", Map.of("app", "x"), container("c", "team/app:1"));

        List<ActionResult> results = harness.handle(selectorPush("team/app", "2", Map.of("winch.dev/upgrade", ""),
                List.of(n)));

        assertThat(results).extracting(ActionResult::target)
                .containsExactly(n + "/deployment/also-opted-in", n + "/deployment/opted-in");
        assertThat(harness.images(ref(n, "deployment", "not-opted-in"))).containsEntry("c", "team/app:1");
    }

    @Test
    void inAMultiContainerPodOnlyTheContainerOfThePushedRepositoryChanges(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "web", Map.of("app", "web"), container("web", "registry.example.com:5000/team/web:1"),
                container("sidecar", "registry.example.com/team/web:1"), container("cache", "redis:7"));

        ActionResult result = only(harness.handle(selectorPush("registry.example.com:5000/team/web", "2",
                Map.of("app", "web"), List.of(n))));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(harness.images(ref(n, "deployment", "web"))).containsExactly(
                Map.entry("web", "registry.example.com:5000/team/web:2"),
                Map.entry("sidecar", "registry.example.com/team/web:1"),
                Map.entry("cache", "redis:7"));
        assertThat(result.details()).containsEntry("containers", "web");
    }

    @Test
    void aMatchingWorkloadThatRunsAnotherRepositoryIsNotWrittenAndTheResultSaysWhy(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "db", Map.of("app", "web"), container("db", "postgres:16"));
        String before = harness.resourceVersion(ref(n, "deployment", "db"));

        ActionResult result = only(harness.handle(selectorPush("nginx", "1.26", Map.of("app", "web"), List.of(n))));

        assertThat(result.outcome()).isEqualTo(Outcome.NOOP);
        assertThat(result.reason()).isEqualTo("no container of " + n + "/deployment/db runs nginx (db=postgres:16); "
                + "it was left alone");
        assertThat(harness.resourceVersion(ref(n, "deployment", "db"))).isEqualTo(before);
    }

    @Test
    void aSelectorThatMatchesNothingGivesOneNoopResult(TestInfo test) {
        ActionResult result = only(harness.handle(selectorPush("nginx", "1.26", Map.of("app", "nobody"),
                List.of(ns(test)))));

        assertThat(result.outcome()).isEqualTo(Outcome.NOOP);
        assertThat(result.target()).isEqualTo("nginx");
        assertThat(result.reason()).isEqualTo("no Deployment, StatefulSet or DaemonSet in namespace " + ns(test)
                + " matches selector app=nobody; nothing changed");
    }

    @Test
    void aTagTheReceiverDoesNotFollowChangesNothingAndTheResultSaysWhy(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "web", Map.of("app", "web"), container("web", "nginx:stable"));
        String before = harness.resourceVersion(ref(n, "deployment", "web"));
        ImagePushed push = new ImagePushed("web-upgrade", "nginx", "1.26", null, null, "dockerhub",
                new UpgradeTarget(null, null, Map.of("app", "web"), List.of(n), 1, 2, false, "stable", null, null,
                        null, null));

        ActionResult result = only(harness.handle(push));

        assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(result.reason()).isEqualTo("tag 1.26 is not followed; this receiver follows tag stable; "
                + "nothing was changed");
        assertThat(harness.resourceVersion(ref(n, "deployment", "web"))).isEqualTo(before);
    }

    @Test
    void semverPolicyUpgradesOnlyWorkloadsItMovesForward(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "old", Map.of("app", "web"), container("web", "team/web:1.2.0"));
        harness.deployment(n, "newer", Map.of("app", "web"), container("web", "team/web:1.4.0"));
        harness.deployment(n, "next-major", Map.of("app", "web"), container("web", "team/web:0.9.0"));
        ImagePushed push = new ImagePushed("web-upgrade", "team/web", "1.3.0", null, null, "dockerhub",
                new UpgradeTarget(null, null, Map.of("app", "web"), List.of(n), null, null, null, null,
                        "semver:minor", null, null, null));

        List<ActionResult> results = harness.handle(push);

        assertThat(results).extracting(r -> r.target() + " " + r.outcome()).containsExactly(
                n + "/deployment/newer SKIPPED", n + "/deployment/next-major SKIPPED", n + "/deployment/old APPLIED");
        assertThat(harness.images(ref(n, "deployment", "old"))).containsEntry("web", "team/web:1.3.0");
        assertThat(harness.images(ref(n, "deployment", "newer"))).containsEntry("web", "team/web:1.4.0");
        assertThat(results.get(0).reason()).contains("never downgrades");
    }

    @Test
    void theReceiversBatchSettingsBecomeEachKindsUpdateStrategy(TestInfo test) {
        String n = ns(test);
        Map<String, String> labels = Map.of("app", "web");
        harness.deployment(n, "web", labels, container("web", "nginx:1"));
        harness.statefulSet(n, "web", labels, container("web", "nginx:1"));
        harness.daemonSet(n, "web", labels, container("web", "nginx:1"));
        ImagePushed startFirst = new ImagePushed("r", "nginx", "2", null, null, "dockerhub",
                new UpgradeTarget(null, null, labels, List.of(n), 2, 15, true));

        List<ActionResult> results = harness.handle(startFirst);

        Deployment deployment = (Deployment) harness.get(ref(n, "deployment", "web"));
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString(2));
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
                .isEqualTo(new IntOrString(0));
        assertThat(deployment.getSpec().getMinReadySeconds()).isEqualTo(15);
        DaemonSet daemonSet = (DaemonSet) harness.get(ref(n, "daemonset", "web"));
        assertThat(daemonSet.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge())
                .isEqualTo(new IntOrString(2));
        assertThat(daemonSet.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable())
                .isEqualTo(new IntOrString(0));
        assertThat(daemonSet.getSpec().getMinReadySeconds()).isEqualTo(15);
        StatefulSet statefulSet = (StatefulSet) harness.get(ref(n, "statefulset", "web"));
        assertThat(statefulSet.getSpec().getMinReadySeconds()).isEqualTo(15);
        assertThat(results).filteredOn(r -> r.target().endsWith("/statefulset/web")).singleElement()
                .satisfies(r -> assertThat(r.details().get("strategyNotes")).contains("start-first cannot apply"));
        assertThat(results.get(0).details()).containsEntry("strategy", "maxSurge=2 maxUnavailable=0 minReadySeconds=15");

        harness.handle(new ImagePushed("r", "nginx", "3", null, null, "dockerhub",
                new UpgradeTarget(null, null, labels, List.of(n), 3, null, false)));

        statefulSet = (StatefulSet) harness.get(ref(n, "statefulset", "web"));
        assertThat(statefulSet.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable())
                .isEqualTo(new IntOrString(3));
        deployment = (Deployment) harness.get(ref(n, "deployment", "web"));
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString(0));
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
                .isEqualTo(new IntOrString(3));
        assertThat(deployment.getSpec().getMinReadySeconds()).isEqualTo(15);
    }

    @Test
    void aReceiverWithoutBatchSettingsKeepsTheWorkloadsOwnStrategy(TestInfo test) {
        String n = ns(test);
        Deployment recreate = harness.deployment(n, "web", Map.of("app", "web"), container("web", "nginx:1"));
        recreate.getSpec().setStrategy(new DeploymentStrategyBuilder().withType("Recreate").build());
        harness.client().resource(recreate).update();

        harness.handle(selectorPush("nginx", "2", Map.of("app", "web"), List.of(n)));

        Deployment after = (Deployment) harness.get(ref(n, "deployment", "web"));
        assertThat(after.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(after.getSpec().getStrategy().getRollingUpdate()).isNull();
        assertThat(harness.images(ref(n, "deployment", "web"))).containsEntry("web", "nginx:2");
    }

    // ---------------------------------------------------------------- explicit style (seed 001)

    @Test
    void explicitStyleSetsThePushedImageOnTheNamedContainerOfAStatefulSetAndADaemonSet(TestInfo test) {
        String n = ns(test);
        harness.statefulSet(n, "db", Map.of(), container("db", "registry.cn-shanghai.aliyuncs.com/team/db:1"),
                container("exporter", "prom/exporter:1"));
        harness.daemonSet(n, "agent", Map.of(), container("agent", "team/agent:1"));

        ActionResult db = only(harness.handle(explicitPush("registry-vpc.cn-shanghai.aliyuncs.com/team/db", "2",
                ref(n, "statefulset", "db"), "db")));
        ActionResult agent = only(harness.handle(explicitPush("team/agent", "2", ref(n, "daemonset", "agent"),
                "agent")));

        assertThat(db.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(harness.images(ref(n, "statefulset", "db"))).containsExactly(
                Map.entry("db", "registry-vpc.cn-shanghai.aliyuncs.com/team/db:2"),
                Map.entry("exporter", "prom/exporter:1"));
        assertThat(agent.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(agent.target()).isEqualTo(n + "/daemonset/agent");
        assertThat(harness.images(ref(n, "daemonset", "agent"))).containsEntry("agent", "team/agent:2");
    }

    @Test
    void theSameTagPushedAgainRestartsThePodsTheWayKubectlRolloutRestartDoes(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "web", Map.of(), container("web", "hongxiaolu/iperf3:latest"));
        long generation = WorkloadObjects.generation(harness.get(ref(n, "deployment", "web")));

        ActionResult result = only(harness.handle(explicitPush("hongxiaolu/iperf3", "latest",
                ref(n, "deployment", "web"), "web")));

        Deployment after = (Deployment) harness.get(ref(n, "deployment", "web"));
        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("restart", "true");
        assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(WorkloadObjects.RESTARTED_AT, Harness.START.toString());
        assertThat(harness.images(ref(n, "deployment", "web"))).containsEntry("web", "hongxiaolu/iperf3:latest");
        assertThat(WorkloadObjects.generation(after)).isGreaterThan(generation);
    }

    @Test
    void aRedeliveredEventIsRecognisedAndChangesNothing(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "web", Map.of(), container("web", "team/web:1"));
        ImagePushed push = explicitPush("team/web", "2", ref(n, "deployment", "web"), "web");
        assertThat(only(harness.handle("delivery-42", push)).outcome()).isEqualTo(Outcome.APPLIED);
        String written = harness.resourceVersion(ref(n, "deployment", "web"));

        ActionResult again = only(harness.handle("delivery-42", push));

        assertThat(again.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(again.reason()).isEqualTo("event delivery-42 was already applied to " + n
                + "/deployment/web; nothing changed");
        assertThat(harness.resourceVersion(ref(n, "deployment", "web"))).isEqualTo(written);
    }

    @Test
    void aWriteThatConflictsIsReadAndPlannedAgain(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "web", Map.of(), container("web", "team/web:1"));
        Workload stale = harness.workloads.get(ref(n, "deployment", "web")).orElseThrow();
        Deployment concurrent = (Deployment) harness.get(ref(n, "deployment", "web"));
        concurrent.getSpec().setReplicas(5);
        harness.client().resource(concurrent).update();
        ImageUpgrader upgrader = new ImageUpgrader(harness.workloads, harness.clock);

        ImageUpgrader.WorkloadOutcome outcome = upgrader.upgrade(dev.winch.upgrader.model.Pushes.valid("e-409",
                explicitPush("team/web", "2", ref(n, "deployment", "web"), "web")), PUSHED, stale, Harness.START);

        assertThat(outcome.result().outcome()).isEqualTo(Outcome.APPLIED);
        Deployment after = (Deployment) harness.get(ref(n, "deployment", "web"));
        assertThat(after.getSpec().getReplicas()).isEqualTo(5);
        assertThat(harness.images(ref(n, "deployment", "web"))).containsEntry("web", "team/web:2");
    }

    @Test
    void anEventAppliedByAnotherReplicaMeanwhileIsADuplicateAfterTheConflict(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "web", Map.of(), container("web", "team/web:1"));
        Workload stale = harness.workloads.get(ref(n, "deployment", "web")).orElseThrow();
        Deployment other = (Deployment) harness.get(ref(n, "deployment", "web"));
        Map<String, String> annotations = new HashMap<>();
        annotations.put(AppliedEvents.ANNOTATION, "e-raced");
        other.getMetadata().setAnnotations(annotations);
        harness.client().resource(other).update();
        ImageUpgrader upgrader = new ImageUpgrader(harness.workloads, harness.clock);

        ImageUpgrader.WorkloadOutcome outcome = upgrader.upgrade(dev.winch.upgrader.model.Pushes.valid("e-raced",
                explicitPush("team/web", "2", ref(n, "deployment", "web"), "web")), PUSHED, stale, Harness.START);

        assertThat(outcome.result().outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(outcome.rollout()).isNull();
        assertThat(harness.images(ref(n, "deployment", "web"))).containsEntry("web", "team/web:1");
    }

    @Test
    void aWorkloadChangedBeforeEveryWriteLeavesTheEventToARetryAndKeepsItsImage() {
        AtomicReference<Harness> racing = new AtomicReference<>();
        AtomicInteger writes = new AtomicInteger();
        try (Harness h = new Harness(100, new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                // another writer (an HPA) lands between each read of the upgrader and its write
                if ("PUT".equals(request.method()) && request.uri().getPath().endsWith("/deployments/web")) {
                    writes.incrementAndGet();
                    racing.get().client().apps().deployments().inNamespace("racing").withName("web")
                            .scale(10 + writes.get());
                }
            }
        })) {
            racing.set(h);
            h.deployment("racing", "web", Map.of(), container("web", "team/web:1"));
            WorkloadRef web = ref("racing", "deployment", "web");
            Workload read = h.workloads.get(web).orElseThrow();
            ImageUpgrader upgrader = new ImageUpgrader(h.workloads, h.clock);

            assertThatThrownBy(() -> upgrader.upgrade(dev.winch.upgrader.model.Pushes.valid("e-busy",
                    explicitPush("team/web", "2", web, "web")), PUSHED, read, Harness.START))
                    .isInstanceOf(ImageUpgrader.ConflictingWritesException.class)
                    .hasMessage("racing/deployment/web changed under 5 writes in a row; leaving it to a retry");
            assertThat(writes).hasValue(5);
            assertThat(h.images(web)).containsEntry("web", "team/web:1");
        }
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void aWorkloadThatDoesNotExistGivesAFailedResult(TestInfo test) {
        ActionResult result = only(harness.handle(explicitPush("team/web", "2", ref(ns(test), "deployment", "nope"),
                "web")));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.target()).isEqualTo(ns(test) + "/deployment/nope");
        assertThat(result.reason()).isEqualTo(ns(test) + "/deployment/nope does not exist; nothing changed");
    }

    @Test
    void aContainerNameThatIsNotInThePodGivesAFailedResultAndChangesNothing(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "web", Map.of(), container("web", "team/web:1"));
        String before = harness.resourceVersion(ref(n, "deployment", "web"));

        ActionResult result = only(harness.handle(explicitPush("team/web", "2", ref(n, "deployment", "web"),
                "webb")));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.reason()).isEqualTo("container 'webb' is not in the pod template of " + n
                + "/deployment/web; it has [web]; nothing changed");
        assertThat(harness.resourceVersion(ref(n, "deployment", "web"))).isEqualTo(before);
    }

    @Test
    void anImageReferenceThatDoesNotParseGivesAFailedResultAndChangesNothing(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "web", Map.of("app", "web"), container("web", "team/web:1"));
        String before = harness.resourceVersion(ref(n, "deployment", "web"));

        ActionResult explicit = only(harness.handle(explicitPush("Team/Web!", "2", ref(n, "deployment", "web"),
                "web")));
        ActionResult selector = only(harness.handle(selectorPush("team/web", "bad:tag", Map.of("app", "web"),
                List.of(n))));

        assertThat(explicit.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(explicit.reason()).startsWith("the pushed repository does not parse: image reference 'Team/Web!'");
        assertThat(selector.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(selector.target()).isEqualTo("team/web");
        assertThat(selector.reason()).isEqualTo("the pushed tag 'bad:tag' is not a valid image tag");
        assertThat(harness.resourceVersion(ref(n, "deployment", "web"))).isEqualTo(before);
    }

    @Test
    void rolloutsStartedAreFollowedUntilTheyEnd(TestInfo test) {
        String n = ns(test);
        harness.deployment(n, "web", Map.of(), container("web", "team/web:1"));

        harness.handle(explicitPush("team/web", "2", ref(n, "deployment", "web"), "web"));

        assertThat(harness.tracker.followed()).anySatisfy(r -> {
            assertThat(r.workload()).isEqualTo(ref(n, "deployment", "web"));
            assertThat(r.deadline()).isEqualTo(Harness.START.plus(Harness.DEFAULT_TIMEOUT));
            assertThat(r.timeout()).isEqualTo(Duration.ofMinutes(10));
        });
    }
}
