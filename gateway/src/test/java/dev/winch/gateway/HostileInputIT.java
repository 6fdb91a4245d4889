package dev.winch.gateway;

import static dev.winch.gateway.HostileSender.assertRefused;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.gateway.HostileSender.Response;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The requests of the hostile corpus, one by one over real HTTP against the real broker: each is refused with a
 * 4xx in the one error shape, naming the field, and nothing reaches any topic.
 */
class HostileInputIT extends HostileRequests {

    private static final String DOCKER_HUB_PUSH =
            "{\"push_data\":{\"tag\":\"latest\",\"pusher\":\"hongxiaolu\"},\"repository\":{\"repo_name\":\"hongxiaolu/iperf3\"}}";

    private Response redeploy(String query, String body) {
        return sender.post(sender.receiver("openRedeploy"), query, body.getBytes(UTF_8));
    }

    private static String field(Response response) {
        return assertRefused(response).get(0);
    }

    @Test
    void aValidTriggerUrlIsStillAccepted() throws Exception {
        Response accepted = redeploy("ns=demo&workload=deployment/web&container=web", DOCKER_HUB_PUSH);

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        before = sender.endOffsets(); // this one request was meant to publish
    }

    @ParameterizedTest
    @ValueSource(strings = {"../kube-system", "demo/other", "DEMO", "%00", "demo%00", "demo%0A", "%0Ademo",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void shouldRejectANamespaceKubernetesWouldRefuse(String ns) {
        Response response = redeploy("ns=" + ns + "&workload=deployment/web&container=web", DOCKER_HUB_PUSH);

        assertThat(response.status()).isEqualTo(400);
        assertThat(field(response)).isEqualTo("query.ns");
    }

    @ParameterizedTest
    @ValueSource(strings = {"replicaset/web", "deployment/..", "deployment/web%00", "deployment/web%0A", "pod/web",
        "deployment/Web"})
    void shouldRejectAWorkloadKubernetesWouldRefuse(String workload) {
        Response response = redeploy("ns=demo&workload=" + workload + "&container=web", DOCKER_HUB_PUSH);

        assertThat(response.status()).isEqualTo(400);
        assertThat(field(response)).isEqualTo("query.workload");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "web%00", "web%0A", "WEB"})
    void shouldRejectAContainerKubernetesWouldRefuse(String container) {
        Response response = redeploy("ns=demo&workload=deployment/web&container=" + container, DOCKER_HUB_PUSH);

        assertThat(response.status()).isEqualTo(400);
        assertThat(field(response)).isEqualTo("query.container");
    }

    @Test
    void shouldRejectABrokenPercentEscapeInTheQuery() {
        Response response = redeploy("ns=demo%G1&workload=deployment/web&container=web", DOCKER_HUB_PUSH);

        assertThat(response.status()).isEqualTo(400);
        assertThat(field(response)).isEqualTo("query");
    }

    @Test
    void shouldRejectABrokenPercentEscapeOnTheRoutersPathToo() {
        // A trailing slash is not the plain hook path: the request goes through the router.
        Response query = sender.post(sender.receiver("openRedeploy") + "/", "ns=demo%G1&workload=deployment/web"
                + "&container=web", DOCKER_HUB_PUSH.getBytes(UTF_8));
        Response path = sender.post("%ZZ", "", DOCKER_HUB_PUSH.getBytes(UTF_8));

        // Vert.x Web decodes the query while routing and answers 400 itself: in the one error shape.
        assertThat(query.status()).isEqualTo(400);
        assertRefused(query);
        assertThat(new JsonObject(query.body()).getString("error")).isEqualTo("bad_request");
        assertThat(path.status()).isBetween(400, 404);
        assertRefused(path);
    }

    @Test
    void shouldRejectJsonNestedTenThousandLevelsDeep() {
        String nested = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);

        for (String kind : sender.receivers().keySet()) {
            Response response = sender.post(sender.receiver(kind), "", nested.getBytes(UTF_8));
            assertThat(response.status()).as(kind).isEqualTo(400);
            assertThat(field(response)).isEqualTo("$");
            assertThat(new JsonObject(response.body()).getString("message")).contains("limits");
        }
    }

    @Test
    void shouldRejectARepoNameThatIsOnlyNul() {
        Response response = sender.post(sender.receiver("redeploy"), "",
                DOCKER_HUB_PUSH.replace("hongxiaolu/iperf3", "\\u0000").getBytes(UTF_8));

        assertThat(response.status()).isEqualTo(400);
        assertThat(field(response)).isEqualTo("repository.repo_name");
    }

    @Test
    void shouldRejectATrailingNulInsteadOfDeployingAnotherImage() {
        Response tag = sender.post(sender.receiver("redeploy"), "",
                DOCKER_HUB_PUSH.replace("latest", "latest\\u0000").getBytes(UTF_8));
        Response repository = sender.post(sender.receiver("serviceUpgrade"), "",
                DOCKER_HUB_PUSH.replace("iperf3", "iperf3\\u0000").getBytes(UTF_8));

        assertThat(tag.status()).isEqualTo(400);
        assertThat(field(tag)).isEqualTo("push_data.tag");
        assertThat(repository.status()).isEqualTo(400);
        assertThat(field(repository)).isEqualTo("repository.repo_name");
    }

    @Test
    void shouldRejectInvalidUtf8EvenFromAScaleReceiverThatNeedsNoBody() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"note\":\"".getBytes(UTF_8));
        body.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xAF});
        body.writeBytes("\"}".getBytes(UTF_8));

        for (String kind : new String[] {"scaleService", "scaleHost"}) {
            Response response = sender.post(sender.receiver(kind), "", body.toByteArray());
            assertThat(response.status()).as(kind).isEqualTo(400);
            assertThat(field(response)).isEqualTo("$");
        }
    }

    @Test
    void shouldAnswerAnOverlongRequestLineWith414InTheErrorShape() {
        Response response = sender.post(sender.receiver("scaleService"), "x=" + "a".repeat(5000), new byte[0]);

        assertThat(response.status()).isEqualTo(414);
        assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("uri_too_long");
        assertRefused(response);
    }

    @Test
    void shouldAnswerOversizedHeadersWith431InTheErrorShape() {
        String head = "POST /hooks/" + sender.receiver("scaleService") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "X-Padding: " + "a".repeat(10_000) + "\r\nContent-Length: 0\r\n\r\n";

        Response response = sender.send(head.getBytes(StandardCharsets.US_ASCII), new byte[0]);

        assertThat(response.status()).isEqualTo(431);
        assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("headers_too_large");
        assertRefused(response);
    }

    @Test
    void shouldAnswerAMalformedRequestWith400InTheErrorShape() {
        String head = "POST /hooks/" + sender.receiver("scaleService") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Length: twelve\r\n\r\n";

        Response response = sender.send(head.getBytes(StandardCharsets.US_ASCII), new byte[0]);

        assertThat(response.status()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("bad_request");
        assertRefused(response);
    }
}
