package dev.winch.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.kubernetes.OptimisticUpdate.Decision;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The conditional write against the fabric8 mock server in CRUD mode, which answers a stale resourceVersion with
 * 409 as a real API server does. The tests play the other writer themselves, between the read and the write.
 * Errors a CRUD mock never gives (422, 500) come from expectations, which the mock answers before its store.
 */
@EnableKubernetesMockClient(crud = true)
class OptimisticUpdateMockTest {

    /** Held so the level is kept: the mock server logs every request at INFO through java.util.logging. */
    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(Level.WARNING);
    }

    private static final String NS = "demo";
    private static final String PATH = "/apis/apps/v1/namespaces/demo/deployments/web";

    /** One server for the class (starting one takes seconds on a loaded machine); each test starts from a new web. */
    static KubernetesClient client;
    static KubernetesMockServer server;

    @BeforeEach
    void createWeb() {
        client.apps().deployments().inNamespace(NS).withName("web").delete();
        client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(3)
                  .withNewSelector().withMatchLabels(Map.of("pod", "web")).endSelector()
                  .withNewTemplate().withNewMetadata().withLabels(Map.of("pod", "web")).endMetadata()
                    .withNewSpec().addNewContainer().withName("web").withImage("team/web:1").endContainer().endSpec()
                  .endTemplate()
                .endSpec().build()).create();
    }

    private Deployment read() {
        return client.apps().deployments().inNamespace(NS).withName("web").get();
    }

    /** Another writer: changes the replica count on the server, so any write made from an earlier read is stale. */
    private void scaleBehindTheUpdatesBack(int replicas) {
        Deployment other = read();
        other.getSpec().setReplicas(replicas);
        client.resource(other).update();
    }

    private static Decision<Deployment, String> setImage(Deployment d, String image) {
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
        return Decision.write(d, "image " + image);
    }

    private static String image(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    @Test
    void aConflictIsReadAndPlannedAgainOnTheCurrentObject() {
        Deployment stale = read();
        scaleBehindTheUpdatesBack(5);
        List<Integer> replicasSeen = new ArrayList<>();

        UpdateResult<Deployment, String> result = new OptimisticUpdate(client).update(stale, d -> {
            replicasSeen.add(d.getSpec().getReplicas());
            return setImage(d, "team/web:2");
        });

        assertThat(result).isInstanceOfSatisfying(UpdateResult.Written.class, written -> {
            assertThat(written.attempts()).isEqualTo(2);
            assertThat(written.decision()).isEqualTo("image team/web:2");
        });
        assertThat(replicasSeen).as("the second plan was made from the object as read again").containsExactly(3, 5);
        Deployment after = read();
        assertThat(image(after)).isEqualTo("team/web:2");
        assertThat(after.getSpec().getReplicas()).as("the other writer's change is kept").isEqualTo(5);
        assertThat(image(stale)).as("the caller's object is not changed").isEqualTo("team/web:1");
    }

    @Test
    void conflictsOnEveryAttemptStopAtTheBoundAndWriteNothing() {
        int[] plans = {0};

        UpdateResult<Deployment, String> result = new OptimisticUpdate(client, 3).update(read(), d -> {
            plans[0]++;
            scaleBehindTheUpdatesBack(10 + plans[0]);
            return setImage(d, "team/web:2");
        });

        assertThat(result).isInstanceOfSatisfying(UpdateResult.Conflict.class, conflict -> {
            assertThat(conflict.attempts()).isEqualTo(3);
            assertThat(conflict.message()).isNotBlank();
        });
        assertThat(plans[0]).isEqualTo(3);
        assertThat(image(read())).isEqualTo("team/web:1");
        assertThat(read().getSpec().getReplicas()).isEqualTo(13);
    }

    @Test
    void anObjectDeletedBeforeTheWriteIsGone() {
        Deployment read = read();
        client.apps().deployments().inNamespace(NS).withName("web").delete();

        UpdateResult<Deployment, String> result = new OptimisticUpdate(client).update(read,
                d -> setImage(d, "team/web:2"));

        assertThat(result).isEqualTo(new UpdateResult.Gone<Deployment, String>("image team/web:2", 1));
        assertThat(read()).as("not created again by the write").isNull();
    }

    @Test
    void anObjectDeletedAfterAConflictIsGone() {
        Deployment stale = read();
        scaleBehindTheUpdatesBack(5);
        client.apps().deployments().inNamespace(NS).withName("web").delete();
        // the write of a deleted object answers 404 on a real server; so does the read again after a 409
        UpdateResult<Deployment, String> result = new OptimisticUpdate(client).update(stale,
                d -> setImage(d, "team/web:2"));

        assertThat(result).isInstanceOf(UpdateResult.Gone.class);
        assertThat(read()).isNull();
    }

    @Test
    void anObjectTheApiServerRefusesIsRejectedWithItsReason() {
        server.expect().put().withPath(PATH).andReturn(422, new StatusBuilder().withCode(422)
                .withStatus("Failure").withReason("Invalid")
                .withMessage("Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].image: Required value")
                .build()).once();

        UpdateResult<Deployment, String> result = new OptimisticUpdate(client).update(read(), d -> setImage(d, ""));

        assertThat(result).isEqualTo(new UpdateResult.Rejected<Deployment, String>("image ", 1, 422,
                "Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].image: Required value"));
        assertThat(image(read())).isEqualTo("team/web:1");
    }

    @Test
    void aPlanWithNothingToWriteWritesNothing() {
        String before = read().getMetadata().getResourceVersion();

        UpdateResult<Deployment, String> result = new OptimisticUpdate(client).update(read(),
                d -> Decision.nothing("already at team/web:1"));

        assertThat(result).isEqualTo(new UpdateResult.Unchanged<Deployment, String>("already at team/web:1", 0));
        assertThat(read().getMetadata().getResourceVersion()).isEqualTo(before);
    }

    @Test
    void aFailureThatSaysNothingAboutTheObjectIsThrown() {
        // 403: the service account may not update Deployments (fabric8 itself retries 5xx answers first)
        server.expect().put().withPath(PATH).andReturn(403, new StatusBuilder().withCode(403).withStatus("Failure")
                .withReason("Forbidden").withMessage("deployments.apps \"web\" is forbidden").build()).once();

        assertThatThrownBy(() -> new OptimisticUpdate(client).update(read(), d -> setImage(d, "team/web:2")))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        assertThat(image(read())).isEqualTo("team/web:1");
    }

    @Test
    void theWrittenObjectCanBeMappedToTheCallersView() {
        UpdateResult<String, String> result = new OptimisticUpdate(client)
                .update(read(), d -> setImage(d, "team/web:2"))
                .map((Function<Deployment, String>) OptimisticUpdateMockTest::image);

        assertThat(result).isEqualTo(new UpdateResult.Written<>("team/web:2", "image team/web:2", 1));
    }
}
