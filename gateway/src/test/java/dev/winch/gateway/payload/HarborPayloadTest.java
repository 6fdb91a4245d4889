package dev.winch.gateway.payload;

import static dev.winch.gateway.payload.PayloadSamples.NO_QUERY;
import static dev.winch.gateway.payload.PayloadSamples.rejectedFields;
import static dev.winch.gateway.payload.PayloadSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HarborPayloadTest {

    private static final String DEBIAN_DIGEST =
            "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8";

    private final HarborPayload payload = new HarborPayload();

    @Test
    void readsTheDocumentedPushAsAnImageOnTheHostOfTheResourceUrl() throws Exception {
        assertThat(payload.read(sample("harbor-push.json"), NO_QUERY)).containsExactly(new PushedImage(
                "hub.harbor.com/test-webhook/debian", "latest", DEBIAN_DIGEST, "admin", "harbor",
                "PUSH_ARTIFACT|1586922308|" + DEBIAN_DIGEST + "|latest"));
    }

    @Test
    void readsACapturedPush() throws Exception {
        assertThat(payload.read(sample("harbor-push-captured.json"), NO_QUERY)).singleElement().satisfies(image -> {
            assertThat(image.repository()).isEqualTo("hb.nicolas.my.id/library/rumput");
            assertThat(image.tag()).isEqualTo("v1");
            assertThat(image.digest())
                    .isEqualTo("sha256:76525f02955aec223342400a080c73024c995c9db1ba2eabf7505cf3bdf3f1f0");
        });
    }

    @Test
    void givesARetriedDeliveryTheSameDeliveryId() throws Exception {
        String first = payload.read(sample("harbor-push.json"), NO_QUERY).get(0).deliveryId();
        String retry = payload.read(sample("harbor-push.json"), NO_QUERY).get(0).deliveryId();
        ObjectNode later = sample("harbor-push.json");
        later.put("occur_at", 1586922999);
        assertThat(retry).isEqualTo(first);
        assertThat(payload.read(later, NO_QUERY).get(0).deliveryId()).isNotEqualTo(first);
    }

    @Test
    void readsEveryTaggedResourceWithItsOwnDeliveryId() throws Exception {
        ObjectNode body = sample("harbor-push.json");
        ArrayNode resources = (ArrayNode) body.at("/event_data/resources");
        resources.addObject().put("digest", DEBIAN_DIGEST).put("tag", "12.5")
                .put("resource_url", "hub.harbor.com/test-webhook/debian:12.5");
        List<PushedImage> images = payload.read(body, NO_QUERY);
        assertThat(images).extracting(PushedImage::tag).containsExactly("latest", "12.5");
        assertThat(images).extracting(PushedImage::deliveryId).doesNotHaveDuplicates();
    }

    @Test
    void keepsTheRegistryPortOfTheResourceUrl() throws Exception {
        ObjectNode body = sample("harbor-push.json");
        ((ObjectNode) body.at("/event_data/resources/0"))
                .put("resource_url", "harbor.example.com:8443/test-webhook/debian:latest");
        assertThat(payload.read(body, NO_QUERY).get(0).repository())
                .isEqualTo("harbor.example.com:8443/test-webhook/debian");
    }

    @Test
    void acceptsTheHarbor1PushImageType() throws Exception {
        ObjectNode body = sample("harbor-push.json");
        body.put("type", "pushImage");
        assertThat(payload.read(body, NO_QUERY)).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"harbor-pull.json", "harbor-delete.json"})
    void ignoresEventsOtherThanPushes(String sample) throws Exception {
        assertThat(payload.read(sample(sample), NO_QUERY)).isEmpty();
    }

    @Test
    void ignoresAScanEventWithoutCheckingItsFields() throws Exception {
        ObjectNode body = PayloadSamples.JSON.createObjectNode().put("type", "SCANNING_COMPLETED");
        assertThat(payload.read(body, NO_QUERY)).isEmpty();
    }

    @Test
    void skipsAnArtifactPushedByDigestOnly() throws Exception {
        assertThat(payload.read(sample("harbor-push-by-digest.json"), NO_QUERY)).isEmpty();
        ObjectNode untagged = sample("harbor-push.json");
        ((ObjectNode) untagged.at("/event_data/resources/0")).remove("tag");
        assertThat(payload.read(untagged, NO_QUERY)).isEmpty();
    }

    @Test
    void rejectsAnInvalidTagAtItsResource() {
        ObjectNode body = sample("harbor-push.json");
        ((ObjectNode) body.at("/event_data/resources/0")).put("tag", "latest!");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("event_data.resources[0].tag");
    }

    @Test
    void rejectsATagThatIsAnObject() {
        ObjectNode body = sample("harbor-push.json");
        ((ObjectNode) body.at("/event_data/resources/0")).putObject("tag");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("event_data.resources[0].tag");
    }

    @Test
    void rejectsAResourceUrlWithoutRegistryHost() {
        ObjectNode body = sample("harbor-push.json");
        ((ObjectNode) body.at("/event_data/resources/0")).put("resource_url", "test-webhook/debian:latest");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY)))
                .containsExactly("event_data.resources[0].resource_url");
    }

    @Test
    void rejectsAMissingRepository() {
        ObjectNode body = sample("harbor-push.json");
        ((ObjectNode) body.get("event_data")).remove("repository");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY)))
                .containsExactly("event_data.repository.repo_full_name");
    }

    @Test
    void rejectsResourcesThatAreNotAnArray() {
        ObjectNode body = sample("harbor-push.json");
        ((ObjectNode) body.get("event_data")).putObject("resources");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("event_data.resources");
    }

    @Test
    void reportsEveryProblemOfAnEmptyObject() {
        assertThat(rejectedFields(() -> payload.read(PayloadSamples.JSON.createObjectNode(), NO_QUERY)))
                .containsExactly("type", "event_data.repository.repo_full_name", "event_data.resources");
    }
}
