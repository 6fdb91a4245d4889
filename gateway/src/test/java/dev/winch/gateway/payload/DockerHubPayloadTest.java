package dev.winch.gateway.payload;

import static dev.winch.gateway.payload.PayloadSamples.NO_QUERY;
import static dev.winch.gateway.payload.PayloadSamples.rejectedFields;
import static dev.winch.gateway.payload.PayloadSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class DockerHubPayloadTest {

    private final DockerHubPayload payload = new DockerHubPayload();

    @Test
    void readsTheSeedSampleAsOnePushOfRepoNameAndTag() throws Exception {
        assertThat(payload.read(sample("dockerhub.json"), NO_QUERY)).containsExactly(
                new PushedImage("hongxiaolu/iperf3", "latest", null, "hongxiaolu", "dockerhub", null));
    }

    @Test
    void readsTheRancherMinimalForm() throws Exception {
        assertThat(payload.read(sample("custom-rancher1.json"), NO_QUERY))
                .extracting(PushedImage::repository, PushedImage::tag, PushedImage::pusher)
                .containsExactly(tuple("hongxiaolu/iperf3", "latest", null));
    }

    @Test
    void worksWithoutARequestAsTheHookHandlerCallsIt() throws Exception {
        assertThat(payload.read(sample("dockerhub.json"), null)).hasSize(1);
    }

    @Test
    void fallsBackToNamespaceAndNameWithoutRepoName() throws Exception {
        ObjectNode body = sample("dockerhub.json");
        ((ObjectNode) body.get("repository")).remove("repo_name");
        assertThat(payload.read(body, NO_QUERY).get(0).repository()).isEqualTo("hongxiaolu/iperf3");
    }

    @Test
    void rejectsAMissingTag() {
        ObjectNode body = sample("dockerhub.json");
        ((ObjectNode) body.get("push_data")).remove("tag");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("push_data.tag");
    }

    @Test
    void rejectsAnInvalidTag() {
        ObjectNode body = sample("dockerhub.json");
        ((ObjectNode) body.get("push_data")).put("tag", "-latest");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("push_data.tag");
    }

    @Test
    void rejectsATagThatIsAnObject() {
        ObjectNode body = sample("dockerhub.json");
        ((ObjectNode) body.get("push_data")).putObject("tag").put("name", "latest");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("push_data.tag");
    }

    @Test
    void rejectsAMissingRepository() {
        ObjectNode body = sample("dockerhub.json");
        body.remove("repository");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("repository.repo_name");
    }

    @Test
    void rejectsAnUpperCaseRepository() {
        ObjectNode body = sample("dockerhub.json");
        ((ObjectNode) body.get("repository")).put("repo_name", "HongXiaoLu/iperf3");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("repository.repo_name");
    }

    @Test
    void reportsEveryProblemOfAnEmptyObject() {
        assertThat(rejectedFields(() -> payload.read(PayloadSamples.JSON.createObjectNode(), NO_QUERY)))
                .containsExactly("push_data.tag", "repository.repo_name");
    }

    @Test
    void rejectsARepoNameThatIsOnlyANulCharacter() {
        ObjectNode body = sample("dockerhub.json");
        ((ObjectNode) body.get("repository")).put("repo_name", "\u0000");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("repository.repo_name");
    }

    @Test
    void refusesATrailingNulInsteadOfTrimmingItToAnotherImage() {
        ObjectNode nulTag = sample("dockerhub.json");
        ((ObjectNode) nulTag.get("push_data")).put("tag", "latest\u0000");
        ObjectNode nulRepository = sample("dockerhub.json");
        ((ObjectNode) nulRepository.get("repository")).put("repo_name", "hongxiaolu/iperf3\u0000");
        ObjectNode newlineTag = sample("dockerhub.json");
        ((ObjectNode) newlineTag.get("push_data")).put("tag", "\nlatest");

        assertThat(rejectedFields(() -> payload.read(nulTag, NO_QUERY))).containsExactly("push_data.tag");
        assertThat(rejectedFields(() -> payload.read(nulRepository, NO_QUERY))).containsExactly("repository.repo_name");
        assertThat(rejectedFields(() -> payload.read(newlineTag, NO_QUERY))).containsExactly("push_data.tag");
    }

    @Test
    void checksTheRepositoryWithDockersReferenceGrammar() {
        for (String repository : new String[] {"hongxiaolu/iperf3:latest", "Hongxiaolu/iperf3", "hongxiaolu//iperf3",
            "hongxiaolu/iperf3@sha256:" + "a".repeat(64), "quay.io:99999/app", "a".repeat(256)}) {
            ObjectNode body = sample("dockerhub.json");
            ((ObjectNode) body.get("repository")).put("repo_name", repository);
            assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).as(repository)
                    .containsExactly("repository.repo_name");
        }
    }
}
