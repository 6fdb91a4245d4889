package dev.winch.gateway.payload;

import static dev.winch.gateway.payload.PayloadSamples.NO_QUERY;
import static dev.winch.gateway.payload.PayloadSamples.parse;
import static dev.winch.gateway.payload.PayloadSamples.rejectedFields;
import static dev.winch.gateway.payload.PayloadSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CustomPayloadTest {

    private final CustomPayload payload = new CustomPayload();

    @Test
    void readsTheSeedCurlBodyAsRepoUrlNamespaceAndName() throws Exception {
        assertThat(payload.read(sample("custom.json"), NO_QUERY)).containsExactly(new PushedImage(
                "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook", "latest", null, null, "custom", null));
    }

    @ParameterizedTest
    @CsvSource({
        "https://registry.example.com:5000/,  registry.example.com:5000/team/app",
        "http://registry.example.com//,       registry.example.com/team/app",
        "registry.example.com:5000,           registry.example.com:5000/team/app",
        "'  harbor.example.com/project/  ',   harbor.example.com/project/team/app",
        "localhost:5000,                      localhost:5000/team/app"
    })
    void stripsTheSchemeAndTrailingSlashesOfRepoUrl(String repoUrl, String repository) throws Exception {
        ObjectNode body = sample("custom.json");
        ((ObjectNode) body.get("repository")).put("repo_url", repoUrl).put("namespace", "team").put("name", "app");
        assertThat(payload.read(body, NO_QUERY).get(0).repository()).isEqualTo(repository);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "https://", "/"})
    void leavesAnEmptyRepoUrlOutForDockerHub(String repoUrl) throws Exception {
        ObjectNode body = sample("custom.json");
        ((ObjectNode) body.get("repository")).put("repo_url", repoUrl);
        assertThat(payload.read(body, NO_QUERY).get(0).repository()).isEqualTo("rancher_cn/webhook");
    }

    @Test
    void readsAnUnquotedBuildNumberAsTheTag() throws Exception {
        String body = """
                {"push_data": {"tag": 20190314},
                 "repository": {"repo_url": "registry.example.com", "namespace": "team", "name": "app"}}""";
        assertThat(payload.read(parse(body), NO_QUERY).get(0).tag()).isEqualTo("20190314");
    }

    @Test
    void acceptsTheRancher1MinimalForm() throws Exception {
        assertThat(payload.read(sample("custom-rancher1.json"), NO_QUERY)).containsExactly(
                new PushedImage("hongxiaolu/iperf3", "latest", null, null, "custom", null));
    }

    @Test
    void acceptsAMinimalFormNamingARegistry() throws Exception {
        ObjectNode body = sample("custom-rancher1.json");
        ((ObjectNode) body.get("repository")).put("repo_name", "registry.example.com:5000/team/app");
        assertThat(payload.read(body, NO_QUERY).get(0).repository()).isEqualTo("registry.example.com:5000/team/app");
    }

    @Test
    void rejectsARepoUrlThatIsNotARegistryHost() {
        ObjectNode body = sample("custom.json");
        ((ObjectNode) body.get("repository")).put("repo_url", "myregistry");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("repository.repo_url");
    }

    @Test
    void rejectsARepoUrlOfTheWrongType() {
        ObjectNode body = sample("custom.json");
        ((ObjectNode) body.get("repository")).putObject("repo_url");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("repository.repo_url");
    }

    @Test
    void rejectsAMissingTagAndATagThatIsAnObject() {
        ObjectNode missing = sample("custom.json");
        ((ObjectNode) missing.get("push_data")).remove("tag");
        ObjectNode object = sample("custom.json");
        ((ObjectNode) object.get("push_data")).putObject("tag");
        assertThat(rejectedFields(() -> payload.read(missing, NO_QUERY))).containsExactly("push_data.tag");
        assertThat(rejectedFields(() -> payload.read(object, NO_QUERY))).containsExactly("push_data.tag");
    }

    @Test
    void rejectsAnUnsubstitutedTemplateVariable() {
        ObjectNode body = sample("custom.json");
        ((ObjectNode) body.get("push_data")).put("tag", "${images_tag}");
        ((ObjectNode) body.get("repository")).put("name", "${images_name}");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY)))
                .containsExactly("push_data.tag", "repository.name");
    }

    @Test
    void rejectsAMissingNamespaceAndName() {
        ObjectNode body = sample("custom.json");
        ((ObjectNode) body.get("repository")).remove("namespace");
        ((ObjectNode) body.get("repository")).remove("name");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY)))
                .containsExactly("repository.namespace", "repository.name");
    }

    @Test
    void reportsEveryProblemOfAnEmptyObject() {
        assertThat(rejectedFields(() -> payload.read(PayloadSamples.JSON.createObjectNode(), NO_QUERY)))
                .containsExactly("push_data.tag", "repository.namespace", "repository.name");
    }
}
