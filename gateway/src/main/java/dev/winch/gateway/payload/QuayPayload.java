package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.image.ImageReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The Quay (quay.io, Red Hat Quay) "Push to Repository" notification. Sample (Red Hat Quay documentation,
 * "Repository Notifications", Repository Push; full copy in src/test/resources/payloads/quay.json):
 *
 * <pre>
 * {
 *   "name": "repository",
 *   "repository": "dgangaia/test",
 *   "namespace": "dgangaia",
 *   "docker_url": "quay.io/dgangaia/test",
 *   "homepage": "https://quay.io/repository/dgangaia/repository",
 *   "updated_tags": [
 *     "latest"
 *   ]
 * }
 * </pre>
 *
 * <p>One image per updated tag, pulled from {@code docker_url} (which carries the registry host, so a self-hosted
 * Quay works the same way): {@code quay.io/dgangaia/test:latest} above. Early quay.io sent {@code updated_tags} as an
 * object from tag to image id (quay-legacy.json, from Quay's 2013 example); its keys are read as the tags. Quay
 * sends no digest, no pusher and no delivery id.
 */
public final class QuayPayload implements RegistryPayload {

    public static final String FORMAT = "quay";

    @Override
    public List<PushedImage> read(JsonNode body, HookRequest request) throws InvalidPayloadException {
        FieldReader fields = new FieldReader(body);
        String repository = fields.requiredText("docker_url");
        if (repository != null && !PushedImage.isRepository(repository)) {
            fields.error("docker_url", "is not a valid repository name");
            repository = null;
        }
        List<String> tags = tags(fields);
        fields.throwIfAny("not a usable Quay repository push notification");
        List<PushedImage> images = new ArrayList<>();
        for (String tag : tags) {
            images.add(new PushedImage(repository, tag, null, null, FORMAT, null));
        }
        return List.copyOf(images);
    }

    private static List<String> tags(FieldReader fields) {
        JsonNode updated = JsonPaths.at(fields.root(), "updated_tags");
        List<String> tags = new ArrayList<>();
        if (updated != null && updated.isObject()) {
            for (Iterator<String> names = updated.fieldNames(); names.hasNext(); ) {
                String tag = names.next();
                if (ImageReference.isTag(tag)) {
                    tags.add(tag);
                } else {
                    fields.error("updated_tags." + tag, "is not a valid image tag");
                }
            }
            return tags;
        }
        JsonNode array = fields.requiredArray("updated_tags");
        for (int i = 0; array != null && i < array.size(); i++) {
            String tag = fields.tag("updated_tags[" + i + "]");
            if (tag != null) {
                tags.add(tag);
            }
        }
        return tags;
    }
}
