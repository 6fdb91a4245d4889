package dev.winch.gateway.payload;

import static dev.winch.gateway.payload.PayloadSamples.NO_QUERY;
import static dev.winch.gateway.payload.PayloadSamples.rejectedFields;
import static dev.winch.gateway.payload.PayloadSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class QuayPayloadTest {

    private final QuayPayload payload = new QuayPayload();

    @Test
    void readsTheDocumentedPushAsAnImageOfTheDockerUrl() throws Exception {
        assertThat(payload.read(sample("quay.json"), NO_QUERY))
                .containsExactly(new PushedImage("quay.io/dgangaia/test", "latest", null, null, "quay", null));
    }

    @Test
    void readsOneImagePerUpdatedTag() throws Exception {
        ObjectNode body = sample("quay.json");
        body.putArray("updated_tags").add("latest").add("v2.1.0");
        assertThat(payload.read(body, NO_QUERY)).extracting(PushedImage::tag).containsExactly("latest", "v2.1.0");
    }

    @Test
    void readsTheTagsOfTheLegacyObjectForm() throws Exception {
        assertThat(payload.read(sample("quay-legacy.json"), NO_QUERY))
                .containsExactly(new PushedImage("quay.io/devtable/ubuntu", "latest", null, null, "quay", null));
    }

    @Test
    void keepsTheHostAndPortOfASelfHostedQuay() throws Exception {
        ObjectNode body = sample("quay.json");
        body.put("docker_url", "quay.example.com:8443/dgangaia/test");
        assertThat(payload.read(body, NO_QUERY).get(0).repository()).isEqualTo("quay.example.com:8443/dgangaia/test");
    }

    @Test
    void readsNoImageWhenNoTagWasUpdated() throws Exception {
        ObjectNode body = sample("quay.json");
        body.putArray("updated_tags");
        assertThat(payload.read(body, NO_QUERY)).isEmpty();
    }

    @Test
    void rejectsAnInvalidTagAtItsIndex() {
        ObjectNode body = sample("quay.json");
        body.putArray("updated_tags").add("latest").add(".hidden");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("updated_tags[1]");
    }

    @Test
    void rejectsATagThatIsAnObject() {
        ObjectNode body = sample("quay.json");
        body.putArray("updated_tags").addObject().put("name", "latest");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("updated_tags[0]");
    }

    @Test
    void rejectsMissingTags() {
        ObjectNode body = sample("quay.json");
        body.remove("updated_tags");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("updated_tags");
    }

    @Test
    void rejectsAMissingOrInvalidDockerUrl() {
        ObjectNode missing = sample("quay.json");
        missing.remove("docker_url");
        ObjectNode invalid = sample("quay.json");
        invalid.put("docker_url", "https://quay.io/repository/dgangaia/test");
        assertThat(rejectedFields(() -> payload.read(missing, NO_QUERY))).containsExactly("docker_url");
        assertThat(rejectedFields(() -> payload.read(invalid, NO_QUERY))).containsExactly("docker_url");
    }

    @Test
    void reportsEveryProblemOfAnEmptyObject() {
        assertThat(rejectedFields(() -> payload.read(PayloadSamples.JSON.createObjectNode(), NO_QUERY)))
                .containsExactly("docker_url", "updated_tags");
    }
}
