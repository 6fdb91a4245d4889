package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
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
 */
public final class DockerHubPayload implements RegistryPayload {

    public static final String FORMAT = "dockerhub";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public List<PushedImage> read(JsonNode body, HookRequest request) throws InvalidPayloadException {
        List<InvalidPayloadException.FieldError> errors = new ArrayList<>();
        String tag = Json.text(body, "push_data", "tag");
        String repository = Json.text(body, "repository", "repo_name");
        if (repository == null) {
            String namespace = Json.text(body, "repository", "namespace");
            String name = Json.text(body, "repository", "name");
            repository = namespace != null && name != null ? namespace + "/" + name : null;
        }
        if (tag == null) {
            errors.add(new InvalidPayloadException.FieldError("push_data.tag", "is required"));
        } else if (!tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
            errors.add(new InvalidPayloadException.FieldError("push_data.tag", "is not a valid image tag"));
        }
        if (repository == null) {
            errors.add(new InvalidPayloadException.FieldError("repository.repo_name", "is required"));
        } else if (!repository.matches("[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*")) {
            errors.add(new InvalidPayloadException.FieldError("repository.repo_name",
                    "is not a valid repository name"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException("not a usable Docker Hub push payload", errors);
        }
        return List.of(new PushedImage(repository, tag, null, Json.text(body, "push_data", "pusher"), FORMAT, null));
    }
}
