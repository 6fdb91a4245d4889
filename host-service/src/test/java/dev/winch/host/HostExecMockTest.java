package dev.winch.host;

import static dev.winch.host.kubernetes.Cluster.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.runtime.Blocking;
import dev.winch.host.kubernetes.Cluster;
import dev.winch.host.kubernetes.ClusterApiMachines;
import dev.winch.host.kubernetes.ClusterApiProvider;
import dev.winch.host.kubernetes.HostGroups;
import dev.winch.host.kubernetes.HostLedger;
import dev.winch.host.kubernetes.KubernetesNodeDrainer;
import dev.winch.host.provider.CustomHosts;
import dev.winch.host.provider.exec.ExecProvider;
import dev.winch.host.provider.exec.ProcessExecRunner;
import dev.winch.testkit.EvictionApi;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exec provider as the service runs it: {@link ProcessExecRunner} starting a real script
 * ({@code src/test/resources/exec/provider.sh}, run as {@code ["/bin/sh", <script>, <dir>, <mode>]}), the Nodes in
 * the mock API server, removals drained by {@link KubernetesNodeDrainer} through the test's Eviction API. The script
 * keeps what it was given (stdin and each {@code WINCH_*} variable) in files, so the tests read what the command
 * really got.
 */
class HostExecMockTest {

    private static final Map<String, String> GROUP = Map.of("pool", "workers");
    private static final String KEY = "pool=workers";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Vertx vertx;
    private static Blocking blocking;
    private static ProcessExecRunner runner;

    @TempDir
    Path dir;

    private EvictionApi api;
    private KubernetesClient client;
    private Cluster cluster;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        blocking = new Blocking(vertx.createSharedWorkerExecutor("host-exec-test", 2), Duration.ofSeconds(20));
        runner = new ProcessExecRunner(vertx);
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void start() {
        api = new EvictionApi();
        client = api.client();
        cluster = new Cluster(client);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** A scaler whose exec provider runs the fixture in {@code mode} (ok, fail, hang), killed after {@code timeout}. */
    private HostScaler scaler(String mode, Duration timeout) throws Exception {
        HostGroups groups = new HostGroups(client);
        List<String> command = List.of("/bin/sh",
                Path.of(HostExecMockTest.class.getResource("/exec/provider.sh").toURI()).toString(),
                dir.toString(), mode);
        return new HostScaler(groups, new HostLedger(client, "winch"), blocking,
                new KubernetesNodeDrainer(client, vertx, Duration.ofSeconds(30), Duration.ofMillis(10), 3,
                        Clock.systemUTC()),
                List.of(new ClusterApiProvider(new ClusterApiMachines(client), blocking), new CustomHosts(),
                        new ExecProvider(runner, command, timeout,
                                (n, g) -> blocking.call(() -> groups.describe(n, g)))),
                Clock.systemUTC(), "test-1", Duration.ofMinutes(10));
    }

    private static ActionResult scale(HostScaler scaler, String id, Map<String, String> selector,
            ScaleAction action) throws Exception {
        HostScaleRequested request = new HostScaleRequested("hosts", selector, action, action == ScaleAction.UP
                ? 2 : 1, 1, 10, null);
        return scaler.scale(new Event<>(id, URI.create("/test"), Instant.now(), request))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS).result();
    }

    private static ActionResult up(HostScaler scaler, String id, int amount) throws Exception {
        return scaler.scale(new Event<>(id, URI.create("/test"), Instant.now(),
                        new HostScaleRequested("hosts-up", GROUP, ScaleAction.UP, amount, 1, 10, null)))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS).result();
    }

    private static ActionResult down(HostScaler scaler, String id) throws Exception {
        return scale(scaler, id, GROUP, ScaleAction.DOWN);
    }

    /** What the script kept for {@code action} on {@code host}: stdin, event, group, template. */
    private Map<String, String> given(String action, String host) throws IOException {
        Map<String, String> given = new LinkedHashMap<>();
        for (String what : List.of("stdin", "event", "group", "template")) {
            given.put(what, Files.readString(dir.resolve(action + "-" + host + "." + what)));
        }
        return given;
    }

    /** The hosts the script was run for with {@code action}, from the files it left. */
    private List<String> ranFor(String action) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.startsWith(action + "-") && f.endsWith(".stdin"))
                    .map(f -> f.substring(action.length() + 1, f.length() - ".stdin".length()))
                    .sorted().toList();
        }
    }

    private List<String> nodes() {
        return client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).sorted().toList();
    }

    /** Two exec hosts; scripted-2 cordoned by someone else, so a scale-down takes it first. */
    private void execGroup() {
        cluster.create(node("scripted-1", GROUP).exec());
        cluster.create(node("scripted-2", GROUP).exec().cordoned());
        client.pods().resource(new PodBuilder()
                .withNewMetadata().withNamespace("shop").withName("web-2").endMetadata()
                .withNewSpec().withNodeName("scripted-2")
                .addNewContainer().withName("main").withImage("nginx:1.27").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus()
                .build()).create();
    }

    @Test
    void clonesAndRemovesWithTheCommandAndReportsItsLastLine() throws Exception {
        execGroup();
        HostScaler scaler = scaler("ok", TIMEOUT);

        ActionResult up = up(scaler, "evt-up", 2);

        assertThat(up.outcome()).isEqualTo(Outcome.APPLIED);
        List<String> made = Arrays.asList(up.details().get("names").split(","));
        assertThat(made).hasSize(2).allSatisfy(name -> assertThat(name).matches("scripted-1-[0-9a-f]{6}"));
        assertThat(ranFor("create")).containsExactlyInAnyOrderElementsOf(made);
        for (String name : made) {
            assertThat(up.details()).containsEntry("exec." + name, "exited 0: created " + name + " (i-0abc)");
            assertThat(up.reason()).contains(name + " (exited 0: created " + name + " (i-0abc))");
            Map<String, String> given = given("create", name);
            assertThat(given).containsEntry("event", "evt-up").containsEntry("group", KEY)
                    .containsEntry("template", "scripted-1");
            JsonNode template = JSON.readTree(given.get("stdin"));
            assertThat(template.path("name").asText()).isEqualTo("scripted-1");
            assertThat(template.path("labels").path("pool").asText()).isEqualTo("workers");
            assertThat(template.path("labels").path("winch.dev/host-provider").asText()).isEqualTo("exec");
        }
        assertThat(up.reason()).contains("made 2 host(s) like scripted-1 with the exec provider");

        ActionResult down = down(scaler, "evt-down");

        assertThat(down.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(down.details()).containsEntry("removed", "scripted-2").containsEntry("evicted", "1")
                .containsEntry("exec.scripted-2", "exited 0: deleted scripted-2");
        assertThat(down.reason()).startsWith(
                "removed 1 host(s) of group pool=workers: scripted-2 (exited 0: deleted scripted-2)");
        assertThat(ranFor("delete")).containsExactly("scripted-2");
        assertThat(given("delete", "scripted-2")).containsEntry("event", "evt-down").containsEntry("group", KEY)
                .containsEntry("template", "");
        assertThat(JSON.readTree(given("delete", "scripted-2").get("stdin")).path("name").asText())
                .isEqualTo("scripted-2");
        assertThat(api.evictions()).containsExactly("shop/web-2 201");
        assertThat(nodes()).containsExactly("scripted-1");
    }

    @Test
    void aCommandThatFailsFailsTheRequestWithItsLastLineAndStopsThere() throws Exception {
        execGroup();
        HostScaler scaler = scaler("fail", TIMEOUT);

        ActionResult up = up(scaler, "evt-up", 2);

        assertThat(up.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(ranFor("create")).hasSize(1);
        String first = ranFor("create").get(0);
        assertThat(up.details()).containsEntry("failure", "provider").containsEntry("made", "0")
                .containsEntry("exec." + first, "exited 3: quota exceeded for instances in region eu-1");
        assertThat(up.reason()).startsWith("could not clone scripted-1: creating " + first
                + " exited 3: quota exceeded for instances in region eu-1");

        ActionResult down = down(scaler, "evt-down");

        assertThat(down.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(down.details()).containsEntry("failure", "provider").containsEntry("removed", "")
                .containsEntry("failed.scripted-2", "deleting scripted-2 exited 3: quota exceeded for instances "
                        + "in region eu-1");
        assertThat(down.reason()).contains("scripted-2 was not removed: deleting scripted-2 exited 3: quota "
                + "exceeded for instances in region eu-1");
        // its machine may still run: the Node stays, drained and cordoned
        assertThat(nodes()).containsExactly("scripted-1", "scripted-2");
        assertThat(client.nodes().withName("scripted-2").get().getSpec().getUnschedulable()).isTrue();
    }

    @Test
    void aCommandThatRunsPastItsTimeoutIsKilledWithWhatItStartedAndTheRequestFails() throws Exception {
        cluster.create(node("scripted-1", GROUP).exec());
        HostScaler scaler = scaler("hang", Duration.ofSeconds(3));

        ActionResult up = up(scaler, "evt-up", 1);

        assertThat(up.outcome()).isEqualTo(Outcome.FAILED);
        String name = ranFor("create").get(0);
        assertThat(up.details()).containsEntry("failure", "provider")
                .containsEntry("exec." + name, "timed out after 3s: waiting for " + name + " to boot");
        assertThat(up.reason()).contains("creating " + name + " timed out after 3s");
        List<Long> pids = Arrays.stream(Files.readString(dir.resolve("pids")).trim().split(" "))
                .map(Long::parseLong).toList();
        assertThat(pids).hasSize(2);
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(pids)
                .allSatisfy(pid -> assertThat(running(pid)).as("process %d running", pid).isFalse()));
    }

    @Test
    void valuesFullOfShellMetacharactersArriveVerbatimAndRunNothing() throws Exception {
        Path canary = dir.resolve("canary");
        String hostile = "$(touch " + canary + "-1); `touch " + canary + "-2`; touch " + canary + "-3 && "
                + "echo \"x\" 'y' | tee " + canary + "-4 > " + canary + "-5 2>&1 & ${HOME} * ?";
        // An API server refuses such a label value; what may carry it are annotations (stdin, as JSON) and the
        // event id, which comes from the sender's delivery id (WINCH_EVENT_ID). Labels hold what a label may.
        cluster.create(node("scripted-1", Map.of("pool", "workers", "zone", "Eu-1_a.b-C")).exec()
                .annotation("example.com/note", hostile + "\nsecond line"));
        Map<String, String> selector = Map.of("pool", "workers", "zone", "Eu-1_a.b-C");
        String eventId = "evt-" + hostile;

        ActionResult up = scale(scaler("ok", TIMEOUT), eventId, selector, ScaleAction.UP);

        assertThat(up.outcome()).isEqualTo(Outcome.APPLIED);
        List<String> made = Arrays.asList(up.details().get("names").split(","));
        assertThat(ranFor("create")).containsExactlyInAnyOrderElementsOf(made);
        for (String name : made) {
            Map<String, String> given = given("create", name);
            assertThat(given.get("event")).isEqualTo(eventId);
            assertThat(given.get("group")).isEqualTo("pool=workers,zone=Eu-1_a.b-C");
            JsonNode template = JSON.readTree(given.get("stdin"));
            assertThat(template.path("annotations").path("example.com/note").asText())
                    .isEqualTo(hostile + "\nsecond line");
            assertThat(template.path("labels").path("zone").asText()).isEqualTo("Eu-1_a.b-C");
            assertThat(template.path("group").asText()).isEqualTo("pool=workers,zone=Eu-1_a.b-C");
        }

        // a selector value no label could hold is refused before anything is read or run
        ActionResult refused = scale(scaler("ok", TIMEOUT), "evt-2", Map.of("pool", "$(touch " + canary + "-6)"),
                ScaleAction.UP);

        assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(refused.details()).containsEntry("failure", "invalid");
        assertThat(refused.reason()).startsWith("hostSelector.pool is not a label value");
        assertThat(ranFor("create")).hasSize(2);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(f -> f.startsWith("canary"));
        }
    }

    /** Alive and not a zombie (an orphan that exited may wait for init to reap it, running nothing). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 1).strip();
            return !state.startsWith("Z") && !state.startsWith("X");
        } catch (IOException gone) {
            return false;
        }
    }
}
