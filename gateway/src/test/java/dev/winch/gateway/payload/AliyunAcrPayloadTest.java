package dev.winch.gateway.payload;

import static dev.winch.gateway.payload.PayloadSamples.NO_QUERY;
import static dev.winch.gateway.payload.PayloadSamples.rejectedFields;
import static dev.winch.gateway.payload.PayloadSamples.rejection;
import static dev.winch.gateway.payload.PayloadSamples.request;
import static dev.winch.gateway.payload.PayloadSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AliyunAcrPayloadTest {

    private static final String SEED_DIGEST =
            "sha256:f66daa126e9fcac4e2d0b7131e78ffd5d8e0012a1e6cb150a953e5be8da5d980";

    private final AliyunAcrPayload payload = new AliyunAcrPayload();

    @Test
    void readsTheSeedSampleAsAPushToThePublicRegistryOfItsRegion() throws Exception {
        assertThat(payload.read(sample("aliyun.json"), NO_QUERY)).containsExactly(new PushedImage(
                "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook", "latest", SEED_DIGEST, null, "aliyun", null));
    }

    @ParameterizedTest
    @CsvSource({
        "public,   registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook",
        "vpc,      registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook",
        "internal, registry-internal.cn-shanghai.aliyuncs.com/rancher_cn/webhook",
        "VPC,      registry-vpc.cn-shanghai.aliyuncs.com/rancher_cn/webhook"
    })
    void picksTheRegistryHostFromTheNetTypeOfTheTriggerUrl(String netType, String repository) throws Exception {
        assertThat(payload.read(sample("aliyun.json"), request(Map.of("net_type", netType))).get(0).repository())
                .isEqualTo(repository);
    }

    @Test
    void treatsABlankNetTypeAsPublic() throws Exception {
        assertThat(payload.read(sample("aliyun.json"), request(Map.of("net_type", " "))).get(0).repository())
                .isEqualTo("registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook");
    }

    @Test
    void worksWithoutARequest() throws Exception {
        assertThat(payload.read(sample("aliyun.json"), null).get(0).repository())
                .startsWith("registry.cn-shanghai.aliyuncs.com/");
    }

    @Test
    void rejectsAnUnknownNetType() {
        InvalidPayloadException e =
                rejection(() -> payload.read(sample("aliyun.json"), request(Map.of("net_type", "classic"))));
        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("query.net_type");
            assertThat(error.message()).contains("classic");
        });
    }

    @Test
    void stripsTheWhitespaceInsideTheSeedDigest() throws Exception {
        assertThat(payload.read(sample("aliyun.json"), NO_QUERY).get(0).digest()).isEqualTo(SEED_DIGEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:f66daa12", "md5:f66daa126e9fcac4e2d0b7131e78ffd5",
        "sha256:F66DAA126E9FCAC4E2D0B7131E78FFD5D8E0012A1E6CB150A953E5BE8DA5D980", ""})
    void leavesADigestThatIsNotOneOutRatherThanFailing(String digest) throws Exception {
        ObjectNode body = sample("aliyun.json");
        ((ObjectNode) body.get("push_data")).put("digest", digest);
        assertThat(payload.read(body, NO_QUERY)).singleElement().satisfies(image -> {
            assertThat(image.digest()).isNull();
            assertThat(image.tag()).isEqualTo("latest");
        });
    }

    @Test
    void requiresTheRegion() {
        ObjectNode body = sample("aliyun.json");
        ((ObjectNode) body.get("repository")).remove("region");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("repository.region");
    }

    @Test
    void rejectsARegionThatWouldBreakTheHost() {
        ObjectNode body = sample("aliyun.json");
        ((ObjectNode) body.get("repository")).put("region", "cn-shanghai.evil.example/x");
        assertThat(rejectedFields(() -> payload.read(body, NO_QUERY))).containsExactly("repository.region");
    }

    @Test
    void rejectsAMissingOrInvalidTag() {
        ObjectNode missing = sample("aliyun.json");
        ((ObjectNode) missing.get("push_data")).remove("tag");
        ObjectNode invalid = sample("aliyun.json");
        ((ObjectNode) invalid.get("push_data")).put("tag", "v1:2");
        assertThat(rejectedFields(() -> payload.read(missing, NO_QUERY))).containsExactly("push_data.tag");
        assertThat(rejectedFields(() -> payload.read(invalid, NO_QUERY))).containsExactly("push_data.tag");
    }

    @Test
    void rejectsATagOfTheWrongType() {
        ObjectNode body = sample("aliyun.json");
        ((ObjectNode) body.get("push_data")).putArray("tag").add("latest");
        InvalidPayloadException e = rejection(() -> payload.read(body, NO_QUERY));
        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("push_data.tag");
            assertThat(error.message()).isEqualTo("must be a string, got an array");
        });
    }

    @Test
    void rejectsAMissingOrInvalidRepository() {
        ObjectNode missing = sample("aliyun.json");
        ((ObjectNode) missing.get("repository")).remove("repo_full_name");
        ObjectNode invalid = sample("aliyun.json");
        ((ObjectNode) invalid.get("repository")).put("repo_full_name", "Rancher_CN/webhook");
        assertThat(rejectedFields(() -> payload.read(missing, NO_QUERY))).containsExactly("repository.repo_full_name");
        assertThat(rejectedFields(() -> payload.read(invalid, NO_QUERY))).containsExactly("repository.repo_full_name");
    }

    @Test
    void reportsTheQueryAndEveryFieldOfAnEmptyObjectTogether() {
        assertThat(rejectedFields(() -> payload.read(PayloadSamples.JSON.createObjectNode(),
                request(Map.of("net_type", "satellite")))))
                .containsExactly("query.net_type", "push_data.tag", "repository.region", "repository.repo_full_name");
    }
}
