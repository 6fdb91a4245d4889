package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.image.ImageReference;
import java.util.List;

/**
 * The Docker Hub push webhook. Sample (seed 001; full copy in src/test/resources/payloads/dockerhub.json):
 *
 * <pre>
 * {
 *   "push_data": { "pushed_at": 1552553567, "images": [], "tag": "latest", "pusher": "hongxiaolu" },
 *   "callback_url": "",
 *   "repository": { "name": "iperf3", "namespace": "hongxiaolu", "repo_name": "hongxiaolu/iperf3", ... }
 * }
 * </pre>
 *
 * <p>The Rancher 1.x receiver needs only {@code push_data.tag} and {@code repository.repo_name}; so does this one.
 * Without {@code repo_name}, {@code namespace/name} stands in for it. Docker Hub sends no delivery id and no digest.
 */
public final class DockerHubPayload implements RegistryPayload {

    public static final String FORMAT = "dockerhub";

    @Override
    public List<PushedImage> read(JsonNode body, HookRequest request) throws InvalidPayloadException {
        FieldReader fields = new FieldReader(body);
        String tag = fields.tag("push_data.tag");
        String repository;
        if (fields.isPresent("repository.repo_name")) {
            repository = fields.optionalText("repository.repo_name");
        } else {
            String namespace = fields.optionalText("repository.namespace");
            String name = fields.optionalText("repository.name");
            repository = namespace != null && name != null ? namespace + "/" + name : null;
            if (repository == null) {
                fields.error("repository.repo_name", "is required");
            }
        }
        if (repository != null && !PushedImage.isRepository(repository)) {
            fields.error("repository.repo_name", "is not a valid repository name");
        }
        fields.throwIfAny("not a usable Docker Hub push payload");
        String pusher = JsonPaths.text(body, "push_data", "pusher");
        return List.of(new PushedImage(repository, tag, null, pusher, FORMAT, null));
    }
}
