package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.image.ImageReference;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A push announced by a build job rather than by a registry: seed 001's {@code repo_type=custom}, posted by a
 * Jenkins shell step after {@code docker push}. Sample (seed 001's curl body with its variables filled in for the
 * seed's own image, {@code registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:latest}; full copy in
 * src/test/resources/payloads/custom.json):
 *
 * <pre>
 * {
 *   "push_data": {
 *       "tag": "latest"
 *   },
 *   "repository": {
 *       "repo_url": "registry.cn-shanghai.aliyuncs.com",
 *       "name": "webhook",
 *       "namespace": "rancher_cn"
 *   }
 * }
 * </pre>
 *
 * <p>(The seed's template has {@code "tag": "${images_tag}"}, {@code "repo_url": ${images_repo_url}} unquoted,
 * {@code "name": "${images_name}"}, {@code "namespace": "${images_namespace}"}.)
 *
 * <p>The repository is {@code repo_url/namespace/name}, or {@code namespace/name} (Docker Hub) when
 * {@code repo_url} is empty. People paste the registry address as they know it, so a scheme and trailing slashes
 * are stripped ({@code https://registry.example.com:5000/} reads as {@code registry.example.com:5000}); what is left
 * must be a registry host, optionally followed by path components ({@code harbor.example.com/project}), or the
 * image would silently resolve on Docker Hub. For the same reason a {@code repo_url} of the wrong type (easy to
 * produce with the seed's unquoted template) is reported, not ignored.
 *
 * <p>The Rancher 1.x minimal form of seed 000, {@code {"push_data": {"tag": ...}, "repository": {"repo_name": ...}}},
 * is accepted too: without {@code namespace} and {@code name}, {@code repo_name} is the repository.
 */
public final class CustomPayload implements RegistryPayload {

    public static final String FORMAT = "custom";

    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://");

    @Override
    public List<PushedImage> read(JsonNode body, HookRequest request) throws InvalidPayloadException {
        FieldReader fields = new FieldReader(body);
        String tag = fields.tag("push_data.tag");
        boolean minimal = !fields.isPresent("repository.namespace") && !fields.isPresent("repository.name")
                && fields.isPresent("repository.repo_name");
        String repository = minimal ? minimalRepository(fields) : customRepository(fields);
        fields.throwIfAny("not a usable custom push payload");
        String pusher = JsonPaths.text(body, "push_data", "pusher");
        return List.of(new PushedImage(repository, tag, null, pusher, FORMAT, null));
    }

    private static String minimalRepository(FieldReader fields) {
        String repository = fields.requiredText("repository.repo_name");
        if (repository != null && !PushedImage.isRepository(repository)) {
            fields.error("repository.repo_name", "is not a valid repository name");
            return null;
        }
        return repository;
    }

    private static String customRepository(FieldReader fields) {
        String registry = registry(fields);
        String namespace = fields.requiredText("repository.namespace");
        if (namespace != null && !ImageReference.isPath(namespace)) {
            fields.error("repository.namespace", "is not a valid repository namespace");
            namespace = null;
        }
        String name = fields.requiredText("repository.name");
        if (name != null && !ImageReference.isPath(name)) {
            fields.error("repository.name", "is not a valid repository name");
            name = null;
        }
        if (namespace == null || name == null || fields.hasErrors()) {
            return null;
        }
        String repository = (registry == null ? "" : registry + "/") + namespace + "/" + name;
        if (!PushedImage.isRepository(repository)) {
            fields.error("repository.name", "makes a repository name longer than "
                    + ImageReference.MAX_NAME_LENGTH + " characters");
            return null;
        }
        return repository;
    }

    /** {@code repository.repo_url} without scheme and trailing slashes, or null when empty. */
    private static String registry(FieldReader fields) {
        String url = fields.optionalText("repository.repo_url");
        if (url == null) {
            return null;
        }
        String registry = SCHEME.matcher(url).replaceFirst("");
        while (registry.endsWith("/")) {
            registry = registry.substring(0, registry.length() - 1);
        }
        if (registry.isEmpty()) {
            return null;
        }
        int slash = registry.indexOf('/');
        String host = slash < 0 ? registry : registry.substring(0, slash);
        boolean path = slash < 0 || ImageReference.isPath(registry.substring(slash + 1));
        if (!PushedImage.isRegistryHost(host) || !path) {
            fields.error("repository.repo_url", "is not a registry host (with an optional path)");
            return null;
        }
        return registry;
    }
}
