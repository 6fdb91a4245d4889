package dev.winch.upgrader;

import static dev.winch.upgrader.Harness.container;
import static dev.winch.upgrader.Harness.only;
import static dev.winch.upgrader.Harness.ref;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.ImagePushed.UpgradeTarget;
import dev.winch.common.event.Outcome;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.plan.TriggerPlan;
import dev.winch.gateway.plan.TriggerPlanner;
import dev.winch.gateway.receiver.ReceiverSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole way from a registry's real payload (gateway/src/test/resources/payloads, see SOURCES.md there) to the
 * workload's image: the gateway's {@link TriggerPlanner} makes the event a receiver would write, the upgrader
 * applies it to the mock server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SamplePayloadsMockTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-06-03T08:00:00Z");

    private Harness harness;
    private int namespaces;

    @BeforeAll
    void start() {
        harness = new Harness();
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    private String namespace() {
        return "samples-" + (++namespaces);
    }

    private static JsonNode sample(String name) {
        try (InputStream in = SamplePayloadsMockTest.class.getResourceAsStream("/payloads/" + name)) {
            assertThat(in).as("sample payload %s", name).isNotNull();
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed 001 hook: a receiver that leaves namespace, workload, container and repo_type to the URL. */
    private static ReceiverSpec redeployReceiver() {
        return new ReceiverSpec("seed001-hook", "seed 001 hook", ReceiverSpec.Kind.REDEPLOY,
                new ReceiverSpec.Auth(null, null, List.of(), null), null, null, null,
                new ReceiverSpec.Redeploy(null, null, null, null), null, "api", NOW, NOW);
    }

    /** Rancher 1.x serviceUpgrade: pushes of {@code tag} upgrade workloads labelled {@code app=web} in {@code ns}. */
    private static ReceiverSpec serviceUpgradeReceiver(String tag, String namespace, String payloadFormat) {
        return serviceUpgradeReceiver(tag, namespace, payloadFormat, false);
    }

    private static ReceiverSpec serviceUpgradeReceiver(String tag, String namespace, String payloadFormat,
            boolean pinDigest) {
        return new ReceiverSpec("rancher1-upgrade", "serviceUpgrade", ReceiverSpec.Kind.SERVICE_UPGRADE,
                new ReceiverSpec.Auth(null, null, List.of(), null), null, null,
                new ReceiverSpec.ServiceUpgrade(tag, Map.of("app", "web"), List.of(namespace), 1, 2, false,
                        payloadFormat, null, pinDigest, null, false),
                null, null, "api", NOW, NOW);
    }

    /** The events the gateway would write for this payload. */
    private static List<ImagePushed> plan(ReceiverSpec receiver, Map<String, String> query, String payload)
            throws Exception {
        JsonNode body = sample(payload);
        TriggerPlan plan = TriggerPlanner.plan(receiver,
                new HookRequest(query, Map.of("Content-Type", "application/json"),
                        JSON.writeValueAsBytes(body), "192.0.2.10"), body);
        assertThat(plan).as("plan for %s", payload).isInstanceOf(TriggerPlan.Events.class);
        return ((TriggerPlan.Events) plan).events().stream().map(p -> (ImagePushed) p.data()).toList();
    }

    private static Map<String, String> seed001Query(String namespace, String workload, String container,
            String repoType, String netType) {
        Map<String, String> query = new HashMap<>(Map.of("token", "t0ken-t0ken", "ns", namespace,
                "workload", workload, "container", container, "repo_type", repoType));
        if (netType != null) {
            query.put("net_type", netType);
        }
        return query;
    }

    @ParameterizedTest(name = "net_type={0}")
    @CsvSource(nullValues = "none", value = {
            "none, registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:latest",
            "public, registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:latest",
            "vpc, registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook:latest",
            "internal, registry-internal.cn-shanghai.aliyuncs.com/rancher_cn/webhook:latest",
    })
    void aliyunPushSetsTheRegistryHostOfItsNetworkTypeOnTheNamedContainer(String netType, String expected)
            throws Exception {
        String ns = namespace();
        harness.deployment(ns, "webhook", Map.of(), container("webhook",
                "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:v0.1"), container("log", "busybox:1.36"));

        List<ImagePushed> pushes = plan(redeployReceiver(),
                seed001Query(ns, "deployment/webhook", "webhook", "aliyun", netType), "aliyun.json");
        ActionResult result = only(harness.handle(pushes.get(0)));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(harness.images(ref(ns, "deployment", "webhook"))).containsExactly(
                Map.entry("webhook", expected), Map.entry("log", "busybox:1.36"));
        assertThat(result.details()).containsEntry("newImage", expected)
                .containsEntry("oldImage", "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:v0.1");
    }

    @Test
    void dockerHubPushOfSeed001SetsTheRepositoryAndTagOnTheNamedContainer() throws Exception {
        String ns = namespace();
        harness.deployment(ns, "iperf", Map.of(), container("iperf3", "hongxiaolu/iperf3:3.0"));

        List<ImagePushed> pushes = plan(redeployReceiver(),
                seed001Query(ns, "deployment/iperf", "iperf3", "dockerhub", null), "dockerhub.json");
        ActionResult result = only(harness.handle(pushes.get(0)));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(harness.images(ref(ns, "deployment", "iperf"))).containsEntry("iperf3", "hongxiaolu/iperf3:latest");
    }

    @Test
    void theJenkinsCurlOfSeed001UpgradesADaemonSetToRepoUrlNamespaceNameAndTag() throws Exception {
        String ns = namespace();
        harness.daemonSet(ns, "webhook", Map.of(), container("webhook",
                "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:v0.1"));

        List<ImagePushed> pushes = plan(redeployReceiver(),
                seed001Query(ns, "daemonset/webhook", "webhook", "custom", null), "custom.json");
        ActionResult result = only(harness.handle(pushes.get(0)));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(harness.images(ref(ns, "daemonset", "webhook")))
                .containsEntry("webhook", "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:latest");
    }

    @Test
    void theRancher1MinimalBodyUpgradesAStatefulSet() throws Exception {
        String ns = namespace();
        harness.statefulSet(ns, "iperf", Map.of(), container("iperf3", "hongxiaolu/iperf3:3.0"));

        List<ImagePushed> pushes = plan(redeployReceiver(),
                seed001Query(ns, "statefulset/iperf", "iperf3", "custom", null), "custom-rancher1.json");
        ActionResult result = only(harness.handle(pushes.get(0)));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(harness.images(ref(ns, "statefulset", "iperf"))).containsEntry("iperf3", "hongxiaolu/iperf3:latest");
    }

    @Test
    void aSeed001PushNamingAContainerThatIsNotInThePodChangesNothing() throws Exception {
        String ns = namespace();
        harness.deployment(ns, "iperf", Map.of(), container("iperf3", "hongxiaolu/iperf3:3.0"));
        String before = harness.resourceVersion(ref(ns, "deployment", "iperf"));

        List<ImagePushed> pushes = plan(redeployReceiver(),
                seed001Query(ns, "deployment/iperf", "iperf", "dockerhub", null), "dockerhub.json");
        ActionResult result = only(harness.handle(pushes.get(0)));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.reason()).contains("container 'iperf' is not in the pod template");
        assertThat(harness.resourceVersion(ref(ns, "deployment", "iperf"))).isEqualTo(before);
    }

    @Test
    void dockerHubPushUpgradesTheSelectedWorkloadsOfItsRepositoryOnly() throws Exception {
        String ns = namespace();
        Map<String, String> web = Map.of("app", "web");
        harness.deployment(ns, "iperf", web, container("iperf3", "docker.io/hongxiaolu/iperf3:3.0"),
                container("other", "hongxiaolu/iperf2:3.0"));
        harness.daemonSet(ns, "probe", web, container("probe", "hongxiaolu/iperf3"));
        harness.deployment(ns, "unlabelled", Map.of(), container("iperf3", "hongxiaolu/iperf3:3.0"));

        List<ImagePushed> pushes = plan(serviceUpgradeReceiver("latest", ns, "dockerhub"), Map.of(),
                "dockerhub.json");
        List<ActionResult> results = harness.handle(pushes.get(0));

        assertThat(results).extracting(ActionResult::outcome).containsOnly(Outcome.APPLIED);
        assertThat(harness.images(ref(ns, "deployment", "iperf"))).containsExactly(
                Map.entry("iperf3", "docker.io/hongxiaolu/iperf3:latest"),
                Map.entry("other", "hongxiaolu/iperf2:3.0"));
        assertThat(harness.images(ref(ns, "daemonset", "probe"))).containsEntry("probe", "hongxiaolu/iperf3:latest");
        assertThat(harness.images(ref(ns, "deployment", "unlabelled")))
                .containsEntry("iperf3", "hongxiaolu/iperf3:3.0");
    }

    @Test
    void harborPushUpgradesTheSelectedWorkloadAndCanPinTheDigest() throws Exception {
        String ns = namespace();
        Map<String, String> web = Map.of("app", "web");
        harness.deployment(ns, "debian", web, container("debian", "hub.harbor.com/test-webhook/debian:11"),
                container("hub", "debian:11"));

        ImagePushed push = plan(serviceUpgradeReceiver("latest", ns, "harbor"), Map.of(), "harbor-push.json").get(0);
        ActionResult unpinned = only(harness.handle(push));

        assertThat(unpinned.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(harness.images(ref(ns, "deployment", "debian"))).containsExactly(
                Map.entry("debian", "hub.harbor.com/test-webhook/debian:latest"), Map.entry("hub", "debian:11"));

        ImagePushed pinned = plan(serviceUpgradeReceiver("latest", ns, "harbor", true), Map.of(),
                "harbor-push.json").get(0);
        assertThat(pinned.target().pinDigest()).isTrue();
        List<ActionResult> results = harness.handle(pinned);

        // the first push's rollout, still followed, is superseded by the second
        assertThat(results).extracting(r -> r.details().get("stage") + " " + r.outcome() + " " + r.causeId())
                .containsExactly("apply APPLIED " + results.get(0).causeId(),
                        "rollout SKIPPED " + unpinned.causeId());
        assertThat(harness.images(ref(ns, "deployment", "debian"))).containsEntry("debian",
                "hub.harbor.com/test-webhook/debian:latest@"
                        + "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8");
    }

    @Test
    void quayPushUpgradesASelectedStatefulSet() throws Exception {
        String ns = namespace();
        harness.statefulSet(ns, "test", Map.of("app", "web"), container("test", "quay.io/dgangaia/test:v1"));

        ImagePushed push = plan(serviceUpgradeReceiver("latest", ns, "quay"), Map.of(), "quay.json").get(0);
        ActionResult result = only(harness.handle(push));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(harness.images(ref(ns, "statefulset", "test"))).containsEntry("test", "quay.io/dgangaia/test:latest");
    }

    @Test
    void aliyunPushUpgradesSelectedWorkloadsThatPullFromTheSameRegistryHost() throws Exception {
        String ns = namespace();
        Map<String, String> web = Map.of("app", "web");
        harness.deployment(ns, "public", web, container("c", "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:v1"));
        harness.deployment(ns, "vpc", web, container("c", "registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook:v1"));

        ImagePushed push = plan(serviceUpgradeReceiver("latest", ns, "aliyun"), Map.of(), "aliyun.json").get(0);
        List<ActionResult> results = harness.handle(push);

        assertThat(results).extracting(r -> r.target() + " " + r.outcome())
                .containsExactly(ns + "/deployment/public APPLIED", ns + "/deployment/vpc NOOP");
        assertThat(harness.images(ref(ns, "deployment", "vpc")))
                .containsEntry("c", "registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook:v1");
    }
}
