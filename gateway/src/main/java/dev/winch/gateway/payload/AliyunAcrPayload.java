package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.image.ImageReference;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Alibaba Cloud Container Registry (ACR) trigger. Sample (seed 001, verbatim; full copy in
 * src/test/resources/payloads/aliyun.json):
 *
 * <pre>
 * {
 *     "push_data": {
 *         "digest":       "sha256:f66daa126e9fcac4e2d0b7131e78ffd5d8e0012a1e6cb150a953e5be8da5d      980",
 *         "pushed_at": "2019-03-13 23:38:07",
 *         "tag": "latest"
 *     },
 *     "repository": {
 *         "date_created": "2019-03-05 13:47:43",
 *         "name": "webhook",
 *         "namespace": "rancher_cn",
 *         "region": "cn-shanghai",
 *         "repo_authentication_type": "NO_CERTIFIED",
 *         "repo_full_name": "rancher_cn/webhook",
 *         "repo_origin_type": "NO_CERTIFIED",
 *         "repo_type": "PUBLIC"
 *     }
 * }
 * </pre>
 *
 * <p>The payload names the region but not the registry host, and the host to pull from depends on where the
 * cluster runs; seed 001 lets the trigger URL say it with {@code net_type}: absent or {@code public} for
 * {@code registry.<region>.aliyuncs.com}, {@code vpc} for {@code registry-vpc.<region>.aliyuncs.com}, {@code internal}
 * (classic network) for {@code registry-internal.<region>.aliyuncs.com}. The sample above reads as
 * {@code registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook:latest}.
 *
 * <p>The digest in the seed's sample has whitespace inside it; it is stripped, and a digest that is still not
 * {@code sha256:} and 64 hex digits is dropped rather than failing the push. ACR sends no pusher and no delivery id.
 */
public final class AliyunAcrPayload implements RegistryPayload {

    public static final String FORMAT = "aliyun";

    private static final Pattern REGION = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    @Override
    public List<PushedImage> read(JsonNode body, HookRequest request) throws InvalidPayloadException {
        FieldReader fields = new FieldReader(body);
        String hostPrefix = hostPrefix(request, fields);
        String tag = fields.tag("push_data.tag");
        String region = fields.requiredText("repository.region");
        if (region != null && !REGION.matcher(region).matches()) {
            fields.error("repository.region", "is not a valid region id");
        }
        String path = fields.requiredText("repository.repo_full_name");
        if (path != null && !ImageReference.isPath(path)) {
            fields.error("repository.repo_full_name", "is not a valid repository name");
        }
        String repository = null;
        if (!fields.hasErrors()) {
            repository = hostPrefix + "." + region + ".aliyuncs.com/" + path;
            if (!PushedImage.isRepository(repository)) {
                // Region and path are valid, so only the length can be wrong.
                fields.error("repository.repo_full_name", "makes a repository name longer than "
                        + ImageReference.MAX_NAME_LENGTH + " characters");
            }
        }
        fields.throwIfAny("not a usable Aliyun Container Registry push payload");
        return List.of(new PushedImage(repository, tag, digest(body), null, FORMAT, null));
    }

    private static String hostPrefix(HookRequest request, FieldReader fields) {
        Optional<String> netType = request == null ? Optional.empty() : request.queryParam("net_type");
        String value = netType.map(v -> v.trim().toLowerCase(Locale.ROOT)).orElse("public");
        switch (value) {
            case "public":
                return "registry";
            case "vpc":
                return "registry-vpc";
            case "internal":
                return "registry-internal";
            default:
                fields.error("query.net_type", "must be public, vpc or internal, got '" + netType.get() + "'");
                return null;
        }
    }

    private static String digest(JsonNode body) {
        JsonNode node = JsonPaths.at(body, "push_data.digest");
        if (node == null || !node.isTextual()) {
            return null;
        }
        return PushedImage.digestOrNull(WHITESPACE.matcher(node.asText()).replaceAll(""));
    }
}
