package dev.winch.gateway.payload;

import static dev.winch.gateway.payload.PayloadSamples.NO_QUERY;
import static dev.winch.gateway.payload.PayloadSamples.rejectedFields;
import static dev.winch.gateway.payload.PayloadSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RegistryNotificationPayloadTest {

    private static final String PUSHED_DIGEST =
            "sha256:4afff550708506c5b8b7384ad10d401a02b29ed587cb2730cb02753095b5178d";

    private final RegistryNotificationPayload payload = new RegistryNotificationPayload();

    @Test
    void readsACapturedTaggedManifestPush() throws Exception {
        assertThat(payload.read(sample("registry-push.json"), NO_QUERY)).containsExactly(new PushedImage(
                "registry.git.erxes.io/shinebayar-g/a", "0.01", PUSHED_DIGEST, "shinebayar-g", "registry",
                "d83e8796-7ba5-46ad-b239-d88473e21b2b"));
    }

    @Test
    void skipsTheBlobPushesAndTheUntaggedManifestOfTheDocumentedEnvelope() throws Exception {
        assertThat(payload.read(sample("registry-envelope.json"), NO_QUERY)).isEmpty();
    }

    @Test
    void skipsATaggedPull() throws Exception {
        assertThat(payload.read(sample("registry-pull.json"), NO_QUERY)).isEmpty();
    }

    @Test
    void readsOnlyTheTaggedManifestPushesOfAMixedEnvelope() throws Exception {
        ObjectNode body = PayloadSamples.JSON.createObjectNode();
        ArrayNode events = body.putArray("events");
        JsonNode documented = sample("registry-envelope.json").get("events");
        ObjectNode pushed = (ObjectNode) sample("registry-push.json").at("/events/0");
        ObjectNode pushedAgain = pushed.deepCopy();
        pushedAgain.put("id", "e0a6f0f3-4c8e-4c55-9d8f-1bd1e0f3f0a1");
        ((ObjectNode) pushedAgain.get("target")).put("tag", "latest");
        ((ObjectNode) pushedAgain.get("request")).put("host", "registry.example.com:5000");
        events.add(documented.get(1))                                       // layer blob push
                .add(pushed)                                                // manifest push, tag 0.01
                .add(sample("registry-pull.json").at("/events/0"))          // manifest pull, tagged
                .add(documented.get(0))                                     // manifest push by digest
                .add(documented.get(2))                                     // layer blob push
                .add(pushedAgain);                                          // manifest push, tag latest

        assertThat(payload.read(body, NO_QUERY))
                .extracting(PushedImage::repository, PushedImage::tag, PushedImage::deliveryId)
                .containsExactly(
                        tuple("registry.git.erxes.io/shinebayar-g/a", "0.01", "d83e8796-7ba5-46ad-b239-d88473e21b2b"),
                        tuple("registry.example.com:5000/shinebayar-g/a", "latest",
                                "e0a6f0f3-4c8e-4c55-9d8f-1bd1e0f3f0a1"));
    }

    @Test
    void readsAPushWithoutActorOrDigest() throws Exception {
        ObjectNode body = sample("registry-push.json");
        ObjectNode event = (ObjectNode) body.at("/events/0");
        event.remove("actor");
        ((ObjectNode) event.get("target")).put("digest", "sha256:0123456789abcdef0");
        assertThat(payload.read(body, NO_QUERY)).singleElement().satisfies(image -> {
            assertThat(image.pusher()).isNull();
            assertThat(image.digest()).isNull();
        });
    }

    @Test
    void rejectsAnInvalidTagOfATaggedPushAtItsEvent() {
        ObjectNode body = sample("registry-push.json");
        ((ObjectNode) body.at("/events/0/target")).put("tag", "0.01+build.7");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("events[0].target.tag");
    }

    @Test
    void rejectsATagThatIsAnObject() {
        ObjectNode body = sample("registry-push.json");
        ((ObjectNode) body.at("/events/0/target")).putObject("tag").put("name", "0.01");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("events[0].target.tag");
    }

    @Test
    void rejectsATaggedPushWithoutRepositoryOrHost() {
        ObjectNode body = sample("registry-push.json");
        ((ObjectNode) body.at("/events/0/target")).remove("repository");
        ((ObjectNode) body.at("/events/0/request")).put("host", "registry");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY)))
                .containsExactly("events[0].target.repository", "events[0].request.host");
    }

    @Test
    void doesNotCheckEventsItSkips() throws Exception {
        ObjectNode body = sample("registry-envelope.json");
        ((ObjectNode) body.at("/events/1/target")).put("repository", "Not A Repository");
        ((ObjectNode) body.at("/events/1/request")).putObject("host");
        assertThat(payload.read(body, NO_QUERY)).isEmpty();
    }

    @Test
    void rejectsAnEnvelopeWithoutEvents() {
        assertThat(rejectedFields(() -> payload.read(PayloadSamples.JSON.createObjectNode(), NO_QUERY)))
                .containsExactly("events");
        ObjectNode notAnArray = PayloadSamples.JSON.createObjectNode();
        notAnArray.putObject("events");
        assertThat(rejectedFields(() -> payload.read(notAnArray, NO_QUERY))).containsExactly("events");
    }
}
