package dev.winch.gateway.plan;

import static dev.winch.gateway.Samples.json;
import static dev.winch.gateway.Samples.lenient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.WorkloadRef;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.receiver.ReceiverSpec;
import dev.winch.gateway.receiver.ReceiverValidator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TriggerPlannerTest {

    private static final HookRequest PLAIN_POST = request(Map.of());

    static ReceiverSpec receiver(String json) {
        try {
            return ReceiverValidator.validate(lenient(json), null, null, "api", Instant.EPOCH).spec();
        } catch (InvalidPayloadException e) {
            throw new AssertionError("receiver should be valid: " + e.errors());
        }
    }

    static HookRequest request(Map<String, String> query) {
        return new HookRequest(query, Map.of("content-type", "application/json"), null, "192.0.2.10");
    }

    static TriggerPlan plan(ReceiverSpec receiver, HookRequest request, JsonNode body) {
        try {
            return TriggerPlanner.plan(receiver, request, body);
        } catch (InvalidPayloadException e) {
            throw new AssertionError("should plan: " + e.getMessage() + " " + e.errors());
        }
    }

    static TriggerPlan.Events events(TriggerPlan plan) {
        assertThat(plan).isInstanceOf(TriggerPlan.Events.class);
        return (TriggerPlan.Events) plan;
    }

    static String nothing(TriggerPlan plan) {
        assertThat(plan).isInstanceOf(TriggerPlan.Nothing.class);
        return ((TriggerPlan.Nothing) plan).reason();
    }

    static List<FieldError> rejection(ReceiverSpec receiver, HookRequest request, JsonNode body) {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class,
                () -> TriggerPlanner.plan(receiver, request, body));
        assertThat(e).as("expected the request to be rejected").isNotNull();
        return e.errors();
    }

    @Nested
    class ScaleReceivers {

        private final ReceiverSpec webUp = receiver("""
                {'id':'web-up','kind':'scaleService','scaleService':{'namespace':'demo','workload':'deployment/web',
                 'action':'up','amount':2,'min':1,'max':6,'cooldownSeconds':30}}
                """);
        private final ReceiverSpec webDownOnResolved = receiver("""
                {'id':'web-auto','kind':'scaleService','scaleService':{'namespace':'demo',
                 'workload':'deployment/web','action':'up','max':6,'onResolved':'down'}}
                """);

        @Test
        void plainPostScalesOnceWithTheReceiversWholeConfiguration() {
            TriggerPlan.Events plan = events(plan(webUp, PLAIN_POST, null));

            assertThat(plan.skipped()).isEmpty();
            assertThat(plan.events()).singleElement().satisfies(planned -> {
                assertThat(planned.deliveryId()).as("the request's own delivery id is used").isNull();
                assertThat(planned.data()).isEqualTo(new ServiceScaleRequested("web-up",
                        new WorkloadRef("demo", "deployment", "web"), ScaleAction.UP, 2, 1, 6, 30));
            });
        }

        @Test
        void anyJsonThatIsNotAnAlertmanagerNotificationIsAPlainTrigger() {
            assertThat(events(plan(webUp, PLAIN_POST, lenient("{'from':'ci','build':42}"))).events()).hasSize(1);
        }

        @Test
        void aSelectorReceiverAsksForEveryMatchingWorkload() {
            ReceiverSpec selector = receiver("""
                    {'id':'batch-down','kind':'scaleService','scaleService':{'namespace':'jobs',
                     'selector':{'tier':'batch'},'action':'down','max':4}}
                    """);

            assertThat(events(plan(selector, PLAIN_POST, null)).events().get(0).data())
                    .isEqualTo(new ServiceScaleRequested("batch-down", null, ScaleAction.DOWN, 1, 0, 4, 0,
                            new ServiceScaleRequested.WorkloadSelector("jobs", Map.of("tier", "batch"))));
        }

        @Test
        void plainPostOnAHostReceiverScalesTheHostGroup() {
            ReceiverSpec hosts = receiver("""
                    {'id':'workers-up','kind':'scaleHost','scaleHost':{'hostSelector':{'winch.dev/group':'workers'},
                     'action':'up','amount':1,'min':2,'max':8,'deleteOption':'leastRecent'}}
                    """);

            assertThat(events(plan(hosts, PLAIN_POST, null)).events().get(0).data())
                    .isEqualTo(new HostScaleRequested("workers-up", Map.of("winch.dev/group", "workers"),
                            ScaleAction.UP, 1, 2, 8, "leastRecent"));
        }

        @Test
        void firingAlertsBecomeOneEventEachWithDistinctStableDeliveryIds() {
            TriggerPlan.Events first = events(plan(webUp, PLAIN_POST, json("alertmanager-firing-up.json")));
            TriggerPlan.Events retried = events(plan(webUp, PLAIN_POST, json("alertmanager-firing-up.json")));

            assertThat(first.events()).hasSize(2);
            assertThat(first.events()).extracting(TriggerPlan.Planned::data).allSatisfy(data ->
                    assertThat(((ServiceScaleRequested) data).action()).isEqualTo(ScaleAction.UP));
            List<String> ids = first.events().stream().map(TriggerPlan.Planned::deliveryId).toList();
            assertThat(ids).doesNotContainNull().doesNotHaveDuplicates();
            assertThat(retried.events()).extracting(TriggerPlan.Planned::deliveryId)
                    .as("a retried notification maps to the same delivery ids").isEqualTo(ids);
        }

        @Test
        void anAlertWithoutAnActionLabelScalesInTheReceiversDirection() {
            TriggerPlan.Events plan = events(plan(webUp, PLAIN_POST, json("alertmanager-probe-failure.json")));

            assertThat(plan.events()).singleElement().satisfies(planned ->
                    assertThat(((ServiceScaleRequested) planned.data()).action()).isEqualTo(ScaleAction.UP));
        }

        @Test
        void anUpReceiverSkipsAlertsThatAskToScaleDown() {
            String reason = nothing(plan(webUp, PLAIN_POST, json("alertmanager-firing-down.json")));

            assertThat(reason).contains("CpuUsageLow", "action=down", "scales up");
        }

        @Test
        void aMixedNotificationScalesForTheMatchingAlertAndSaysWhyTheOtherWasSkipped() {
            ObjectNode body = json("alertmanager-firing-up.json");
            ObjectNode second = (ObjectNode) body.withArray("alerts").get(1);
            ((ObjectNode) second.get("labels")).put("action", "down").put("alertname", "CpuUsageLow");

            TriggerPlan.Events plan = events(plan(webUp, PLAIN_POST, body));

            assertThat(plan.events()).hasSize(1);
            assertThat(plan.skipped()).singleElement().asString().contains("CpuUsageLow", "action=down");
        }

        @Test
        void resolvedAlertsAreIgnoredByDefaultWithTheReason() {
            String reason = nothing(plan(webUp, PLAIN_POST, json("alertmanager-resolved-up.json")));

            assertThat(reason).contains("CpuUsageSpike resolved", "ignores resolved alerts");
        }

        @Test
        void resolvedAlertsScaleDownWhenTheReceiverSaysSo() {
            TriggerPlan.Events resolved = events(plan(webDownOnResolved, PLAIN_POST,
                    json("alertmanager-resolved-up.json")));
            TriggerPlan.Events firing = events(plan(webDownOnResolved, PLAIN_POST,
                    json("alertmanager-firing-up.json")));

            assertThat(resolved.events()).hasSize(2).extracting(TriggerPlan.Planned::data).allSatisfy(data ->
                    assertThat(((ServiceScaleRequested) data).action()).isEqualTo(ScaleAction.DOWN));
            assertThat(resolved.events()).extracting(TriggerPlan.Planned::deliveryId)
                    .as("resolving is another delivery than firing")
                    .doesNotContainAnyElementsOf(firing.events().stream()
                            .map(TriggerPlan.Planned::deliveryId).toList());
        }

        @Test
        void aBrokenAlertmanagerNotificationIsRejectedWithTheFieldPath() {
            ObjectNode body = json("alertmanager-firing-up.json");
            ((ObjectNode) body.withArray("alerts").get(1)).put("status", "burning");

            assertThat(rejection(webUp, PLAIN_POST, body)).extracting(FieldError::field)
                    .containsExactly("alerts[1].status");
        }
    }

    @Nested
    class ServiceUpgrade {

        private final ReceiverSpec followsLatest = receiver("""
                {'id':'web-latest','kind':'serviceUpgrade','serviceUpgrade':{'tag':'latest',
                 'serviceSelector':{'app':'web'},'namespaces':['demo'],'batchSize':2,'intervalSeconds':10,
                 'startFirst':true}}
                """);

        @Test
        void aPushOfTheFollowedTagUpgradesTheSelectedWorkloads() {
            TriggerPlan.Events plan = events(plan(followsLatest, PLAIN_POST, json("dockerhub.json")));

            assertThat(plan.events()).singleElement().satisfies(planned -> assertThat(planned.data()).isEqualTo(
                    new ImagePushed("web-latest", "hongxiaolu/iperf3", "latest", null, "hongxiaolu", "dockerhub",
                            new ImagePushed.UpgradeTarget(null, null, Map.of("app", "web"), List.of("demo"), 2, 10,
                                    true, "latest", null, null, null, null))));
        }

        @Test
        void aSemverPolicyLeavesTheDecisionToTheUpgraderWhichKnowsTheRunningVersions() {
            ReceiverSpec semver = receiver("""
                    {'id':'web-minor','kind':'serviceUpgrade','serviceUpgrade':{'tagPolicy':'semver:minor',
                     'serviceSelector':{'app':'web'}}}
                    """);
            ObjectNode body = json("dockerhub.json");
            ((ObjectNode) body.get("push_data")).put("tag", "1.4.2");

            ImagePushed pushed = (ImagePushed) events(plan(semver, PLAIN_POST, body)).events().get(0).data();

            assertThat(pushed.tag()).isEqualTo("1.4.2");
            assertThat(pushed.target().tagPolicy()).isEqualTo("semver:minor");
            assertThat(pushed.target().followTag()).isNull();
        }

        @Test
        void aGlobPolicyIsAppliedAtTheGateway() {
            ReceiverSpec glob = receiver("""
                    {'id':'web-builds','kind':'serviceUpgrade','serviceUpgrade':{'tagPolicy':'glob:build-*',
                     'serviceSelector':{'app':'web'}}}
                    """);
            ObjectNode taken = json("dockerhub.json");
            ((ObjectNode) taken.get("push_data")).put("tag", "build-42");
            ObjectNode refused = json("dockerhub.json");
            ((ObjectNode) refused.get("push_data")).put("tag", "v1.0");

            assertThat(events(plan(glob, PLAIN_POST, taken)).events()).hasSize(1);
            assertThat(nothing(plan(glob, PLAIN_POST, refused))).contains("hongxiaolu/iperf3:v1.0");
        }

        @Test
        void aPushOfAnotherTagDoesNothingAndSaysWhy() {
            ObjectNode body = json("dockerhub.json");
            ((ObjectNode) body.get("push_data")).put("tag", "dev");

            assertThat(nothing(plan(followsLatest, PLAIN_POST, body)))
                    .contains("hongxiaolu/iperf3:dev: tag dev is not followed", "follows tag latest");
        }

        @Test
        void aDeliveryThatIsNotAPushDoesNothingAndSaysWhy() {
            ReceiverSpec harbor = receiver("""
                    {'kind':'serviceUpgrade','serviceUpgrade':{'tag':'latest','serviceSelector':{'app':'web'},
                     'payloadFormat':'harbor'}}
                    """);

            assertThat(nothing(plan(harbor, PLAIN_POST, json("harbor-pull.json"))))
                    .isEqualTo("the payload names no pushed image");
        }

        @Test
        void aPushWithoutABodyIsRejected() {
            assertThat(rejection(followsLatest, PLAIN_POST, null)).extracting(FieldError::field).containsExactly("$");
        }
    }

    @Nested
    class Redeploy {

        private final ReceiverSpec pinned = receiver("""
                {'id':'demo-web','kind':'redeploy','redeploy':{'namespace':'demo','workload':'deployment/web',
                 'container':'web'}}
                """);
        private final ReceiverSpec open = receiver("{'id':'open','kind':'redeploy'}");

        @Test
        void aPinnedReceiverUpgradesItsOwnTarget() {
            TriggerPlan.Events plan = events(plan(pinned, PLAIN_POST, json("dockerhub.json")));

            assertThat(plan.events()).singleElement().satisfies(planned -> {
                ImagePushed pushed = (ImagePushed) planned.data();
                assertThat(pushed.image()).isEqualTo("hongxiaolu/iperf3:latest");
                assertThat(pushed.target()).isEqualTo(ImagePushed.UpgradeTarget.explicit(
                        new WorkloadRef("demo", "deployment", "web"), "web"));
            });
        }

        @Test
        void theUrlMayRepeatAPinnedValue() {
            assertThat(events(plan(pinned, request(Map.of("ns", "demo", "workload", "deployment/web")),
                    json("dockerhub.json"))).events()).hasSize(1);
        }

        @Test
        void theUrlMayNotChangeAPinnedValue() {
            List<FieldError> errors = rejection(pinned,
                    request(Map.of("ns", "prod", "workload", "deployment/api", "container", "web")),
                    json("dockerhub.json"));

            assertThat(errors).containsExactly(new FieldError("query.ns", "does not match this receiver"),
                    new FieldError("query.workload", "does not match this receiver"));
        }

        @Test
        void anOpenReceiverTakesItsTargetAndFormatFromTheUrl() {
            TriggerPlan.Events plan = events(plan(open, request(Map.of("ns", "shop", "workload",
                            "statefulset/cache", "container", "redis", "repo_type", "aliyun", "net_type", "vpc")),
                    json("aliyun.json")));

            assertThat(plan.events()).singleElement().satisfies(planned -> {
                ImagePushed pushed = (ImagePushed) planned.data();
                assertThat(pushed.repository()).isEqualTo("registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook");
                assertThat(pushed.payloadFormat()).isEqualTo("aliyun");
                assertThat(pushed.target()).isEqualTo(ImagePushed.UpgradeTarget.explicit(
                        new WorkloadRef("shop", "statefulset", "cache"), "redis"));
            });
        }

        @Test
        void anOpenReceiverReadsDockerHubWhenTheUrlNamesNoFormat() {
            assertThat(events(plan(open, request(Map.of("ns", "demo", "workload", "deployment/web",
                    "container", "web")), json("dockerhub.json"))).events().get(0).data())
                    .extracting(data -> ((ImagePushed) data).payloadFormat()).isEqualTo("dockerhub");
        }

        @Test
        void anOpenReceiverRefusesUrlNamesThatKubernetesWouldRefuse() {
            String tooLong = "a".repeat(64);
            for (String ns : List.of("../kube-system", "demo/other", "DEMO", tooLong, "demo\u0000", "demo\n")) {
                assertThat(rejection(open, request(Map.of("ns", ns, "workload", "deployment/web", "container", "web")),
                        json("dockerhub.json"))).as("ns=%s", ns).extracting(FieldError::field)
                        .containsExactly("query.ns");
            }
            for (String workload : List.of("replicaset/web", "deployment/..", "deployment/web\u0000",
                    "deployment/../x", "pod/web", "deployment/WEB")) {
                assertThat(rejection(open, request(Map.of("ns", "demo", "workload", workload, "container", "web")),
                        json("dockerhub.json"))).as("workload=%s", workload).extracting(FieldError::field)
                        .containsExactly("query.workload");
            }
            for (String container : List.of("../x", "web\u0000", "Web", "web\nx", tooLong)) {
                assertThat(rejection(open, request(Map.of("ns", "demo", "workload", "deployment/web",
                        "container", container)), json("dockerhub.json"))).as("container=%s", container)
                        .extracting(FieldError::field).containsExactly("query.container");
            }
        }

        @Test
        void anOpenReceiverRefusesAReplicaSetAsTheAdminApiDoes() {
            assertThat(rejection(open, request(Map.of("ns", "demo", "workload", "replicaset/web", "container", "web")),
                    json("dockerhub.json"))).containsExactly(new FieldError("query.workload",
                    "a replicaset is not upgraded directly; name its deployment"));
        }

        @Test
        void anOpenReceiverNamesEveryMissingUrlParameter() {
            assertThat(rejection(open, PLAIN_POST, json("dockerhub.json"))).extracting(FieldError::field)
                    .containsExactly("query.ns", "query.workload", "query.container");
        }

        @Test
        void aBadWorkloadOrRepoTypeInTheUrlIsRejected() {
            assertThat(rejection(open, request(Map.of("ns", "demo", "workload", "web", "container", "web")),
                    json("dockerhub.json"))).extracting(FieldError::field).containsExactly("query.workload");
            assertThat(rejection(open, request(Map.of("ns", "demo", "workload", "deployment/web", "container",
                    "web", "repo_type", "gcr")), json("dockerhub.json"))).extracting(FieldError::field)
                    .containsExactly("query.repo_type");
        }
    }
}
