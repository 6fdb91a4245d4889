package dev.winch.upgrader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.EventCodec;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.ImagePushed.UpgradeTarget;
import dev.winch.common.event.WorkloadRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fields the upgrader added to {@link UpgradeTarget} keep old events readable and old callers compiling. */
class ImagePushedContractTest {

    @Test
    void anEventWrittenBeforeTheRolloutFieldsReadsWithTheirDefaults() throws Exception {
        String old = """
                {"receiverId":"demo-web","repository":"hongxiaolu/iperf3","tag":"1.1","digest":null,
                 "pusher":"hongxiaolu","payloadFormat":"dockerhub",
                 "target":{"workload":{"namespace":"demo","kind":"deployment","name":"web"},"container":"web",
                           "selector":{},"namespaces":[],"batchSize":null,"batchIntervalSeconds":null,
                           "startFirst":null}}
                """;

        ImagePushed push = EventCodec.mapper().readValue(old, ImagePushed.class);

        assertThat(push.target()).isEqualTo(UpgradeTarget.explicit(new WorkloadRef("demo", "deployment", "web"),
                "web"));
        assertThat(push.target().tagPolicy()).isNull();
        assertThat(push.target().pinDigest()).isNull();
    }

    @Test
    void theNewFieldsRoundTripAndUnknownOnesAreIgnored() throws Exception {
        ImagePushed push = new ImagePushed("r", "nginx", "1.2.3", null, null, "dockerhub",
                new UpgradeTarget(null, null, Map.of("app", "web", "tier", ""), List.of("a", "b"), 2, 5, true,
                        "latest", "semver:minor", true, 120, true));

        String json = EventCodec.mapper().writeValueAsString(push);
        ImagePushed read = EventCodec.mapper().readValue(json.replace("\"tagPolicy\"", "\"future\":1,\"tagPolicy\""),
                ImagePushed.class);

        assertThat(read).isEqualTo(push);
    }

    @Test
    void theFirstConstructorStillBuildsATargetWithoutTheNewFields() {
        UpgradeTarget target = new UpgradeTarget(null, null, Map.of("app", "web"), List.of(), 1, 2, false);

        assertThat(target.followTag()).isNull();
        assertThat(target.rolloutTimeoutSeconds()).isNull();
        assertThat(target.rollbackOnFailure()).isNull();
    }
}
