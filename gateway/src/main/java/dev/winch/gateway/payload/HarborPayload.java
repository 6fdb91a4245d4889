package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.image.ImageReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Harbor v2 webhook, {@code Default} payload format, HTTP endpoint. Sample (Harbor documentation, "Configure
 * Webhook Notifications"; full copy in src/test/resources/payloads/harbor-push.json):
 *
 * <pre>
 * {
 *   "type": "PUSH_ARTIFACT",
 *   "occur_at": 1586922308,
 *   "operator": "admin",
 *   "event_data": {
 *     "resources": [{
 *       "digest": "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8",
 *       "tag": "latest",
 *       "resource_url": "hub.harbor.com/test-webhook/debian:latest"
 *     }],
 *     "repository": {
 *       "date_created": 1586922308,
 *       "name": "debian",
 *       "namespace": "test-webhook",
 *       "repo_full_name": "test-webhook/debian",
 *       "repo_type": "private"
 *     }
 *   }
 * }
 * </pre>
 *
 * <p>One image per tagged resource: {@code hub.harbor.com/test-webhook/debian:latest} above. The registry host is
 * taken from {@code resource_url} (Harbor's external URL, port included), the path from {@code repo_full_name}.
 * A resource pushed by digest only has no tag, or (Harbor 2.8 documentation sample, harbor-push-by-digest.json) its
 * digest in the tag field and {@code @sha256:...} in the URL; there is nothing to roll out, so it is skipped.
 *
 * <p>Every other event type ({@code PULL_ARTIFACT}, {@code DELETE_ARTIFACT}, {@code SCANNING_COMPLETED}, ...) yields
 * no image: a webhook subscribed to more events than pushes is not an error. Harbor 1.x named the push
 * {@code pushImage} with the same body; it is read the same way.
 *
 * <p>Harbor sends no delivery id. A retried delivery repeats {@code type}, {@code occur_at} and the resource, so
 * those make one: {@code PUSH_ARTIFACT|1586922308|sha256:8a9e...|latest}. The tag is part of it because one push
 * can carry several tags of the same digest, which are different images to roll out.
 */
public final class HarborPayload implements RegistryPayload {

    public static final String FORMAT = "harbor";

    private static final Set<String> PUSH_TYPES = Set.of("PUSH_ARTIFACT", "pushImage");

    @Override
    public List<PushedImage> read(JsonNode body, HookRequest request) throws InvalidPayloadException {
        FieldReader fields = new FieldReader(body);
        String type = fields.requiredText("type");
        if (type != null && !PUSH_TYPES.contains(type)) {
            return List.of();
        }
        String path = fields.requiredText("event_data.repository.repo_full_name");
        if (path != null && !ImageReference.isPath(path)) {
            fields.error("event_data.repository.repo_full_name", "is not a valid repository name");
            path = null;
        }
        JsonNode resources = fields.requiredArray("event_data.resources");
        String occurAt = JsonPaths.text(body, "occur_at");
        String operator = JsonPaths.text(body, "operator");

        List<PushedImage> images = new ArrayList<>();
        for (int i = 0; resources != null && i < resources.size(); i++) {
            String at = "event_data.resources[" + i + "]";
            if (!resources.get(i).isObject()) {
                fields.error(at, "must be an object, got " + JsonPaths.describe(resources.get(i)));
                continue;
            }
            String rawDigest = JsonPaths.text(resources.get(i), "digest");
            String digest = PushedImage.digestOrNull(rawDigest);
            String tag = fields.optionalText(at + ".tag");
            if (tag == null || tag.equals(rawDigest) || ImageReference.isDigest(tag)) {
                continue;
            }
            if (!ImageReference.isTag(tag)) {
                fields.error(at + ".tag", "is not a valid image tag");
                continue;
            }
            String host = host(fields, at + ".resource_url");
            if (host == null || path == null) {
                continue;
            }
            String repository = host + "/" + path;
            if (!PushedImage.isRepository(repository)) {
                fields.error("event_data.repository.repo_full_name", "makes a repository name longer than "
                        + ImageReference.MAX_NAME_LENGTH + " characters");
                continue;
            }
            String deliveryId = occurAt == null ? null
                    : type + "|" + occurAt + "|" + (digest == null ? "" : digest) + "|" + tag;
            images.add(new PushedImage(repository, tag, digest, operator, FORMAT, deliveryId));
        }
        fields.throwIfAny("not a usable Harbor push payload");
        return List.copyOf(images);
    }

    /** The registry host at the start of a resource URL such as {@code hub.harbor.com/test-webhook/debian:latest}. */
    private static String host(FieldReader fields, String path) {
        String url = fields.requiredText(path);
        if (url == null) {
            return null;
        }
        String withoutScheme = url.replaceFirst("^[A-Za-z][A-Za-z0-9+.-]*://", "");
        int slash = withoutScheme.indexOf('/');
        String host = slash < 0 ? withoutScheme : withoutScheme.substring(0, slash);
        if (!PushedImage.isRegistryHost(host)) {
            fields.error(path, "does not start with a registry host");
            return null;
        }
        return host;
    }
}
