package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.image.ImageReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Notifications of the Docker distribution registry ({@code registry:2}, also what GitLab's and many self-hosted
 * registries send): an envelope of events, content type {@code application/vnd.docker.distribution.events.v1+json}
 * (v2+json in distribution 3). Sample (a real push to registry.git.erxes.io, quoted in keel's
 * {@code pkg/http/registry_notifications.go}; full copy in src/test/resources/payloads/registry-push.json):
 *
 * <pre>
 * {
 *   "events": [
 *     {
 *       "id": "d83e8796-7ba5-46ad-b239-d88473e21b2b",
 *       "timestamp": "2018-10-11T13:53:21.859222576Z",
 *       "action": "push",
 *       "target": {
 *         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
 *         "size": 2206,
 *         "digest": "sha256:4afff550708506c5b8b7384ad10d401a02b29ed587cb2730cb02753095b5178d",
 *         "length": 2206,
 *         "repository": "shinebayar-g/a",
 *         "url": "https://registry.git.erxes.io/v2/shinebayar-g/a/manifests/sha256:4afff550...",
 *         "tag": "0.01"
 *       },
 *       "request": {
 *         "id": "18690582-6d1a-4e08-8825-251a0adc58ce",
 *         "addr": "46.101.177.27",
 *         "host": "registry.git.erxes.io",
 *         "method": "PUT",
 *         "useragent": "docker/18.06.1-ce go/go1.10.3 ..."
 *       },
 *       "actor": { "name": "shinebayar-g" },
 *       "source": { "addr": "git.erxes.io:5000", "instanceID": "bde27723-d67e-4775-a9bd-55f771a2f895" }
 *     }
 *   ]
 * }
 * </pre>
 *
 * <p>A push of an image sends one event per layer blob and one for the manifest; only a manifest pushed by tag
 * carries {@code target.tag}, so only those events become images:
 * {@code registry.git.erxes.io/shinebayar-g/a:0.01} above, delivery id the event id, pusher the actor. Pulls,
 * deletes, blob pushes and manifests pushed by digest are skipped without being checked, because the registry
 * batches unrelated events in one envelope and retries a rejected envelope until its queue backs up (its
 * documentation warns against "pickyness"); only an event that would become an image must be valid.
 */
public final class RegistryNotificationPayload implements RegistryPayload {

    public static final String FORMAT = "registry";

    /** The envelope's content type as distribution 2.x sends it. */
    public static final String CONTENT_TYPE = "application/vnd.docker.distribution.events.v1+json";

    @Override
    public List<PushedImage> read(JsonNode body, HookRequest request) throws InvalidPayloadException {
        FieldReader fields = new FieldReader(body);
        JsonNode events = fields.requiredArray("events");
        List<PushedImage> images = new ArrayList<>();
        for (int i = 0; events != null && i < events.size(); i++) {
            JsonNode event = events.get(i);
            String at = "events[" + i + "]";
            if (!"push".equals(JsonPaths.text(event, "action")) || !fields.isPresent(at + ".target.tag")) {
                continue;
            }
            String tag = fields.tag(at + ".target.tag");
            String path = fields.requiredText(at + ".target.repository");
            if (path != null && !ImageReference.isPath(path)) {
                fields.error(at + ".target.repository", "is not a valid repository name");
                path = null;
            }
            String host = fields.requiredText(at + ".request.host");
            if (host != null && !PushedImage.isRegistryHost(host)) {
                fields.error(at + ".request.host", "is not a registry host");
                host = null;
            }
            if (tag == null || path == null || host == null) {
                continue;
            }
            String repository = host + "/" + path;
            if (!PushedImage.isRepository(repository)) {
                fields.error(at + ".target.repository", "makes a repository name longer than "
                        + ImageReference.MAX_NAME_LENGTH + " characters");
                continue;
            }
            String digest = PushedImage.digestOrNull(JsonPaths.text(event, "target", "digest"));
            images.add(new PushedImage(repository, tag, digest, JsonPaths.text(event, "actor", "name"), FORMAT,
                    JsonPaths.text(event, "id")));
        }
        fields.throwIfAny("not a usable registry notification envelope");
        return List.copyOf(images);
    }
}
