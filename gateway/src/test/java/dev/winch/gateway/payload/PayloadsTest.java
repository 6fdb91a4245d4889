package dev.winch.gateway.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PayloadsTest {

    @Test
    void knowsEveryRegistryFormat() {
        assertThat(Payloads.formats())
                .containsExactly("dockerhub", "aliyun", "harbor", "quay", "registry", "custom");
    }

    @Test
    void findsEachAdapterByItsFormatName() {
        assertThat(Payloads.forFormat("dockerhub")).get().isInstanceOf(DockerHubPayload.class);
        assertThat(Payloads.forFormat("aliyun")).get().isInstanceOf(AliyunAcrPayload.class);
        assertThat(Payloads.forFormat("harbor")).get().isInstanceOf(HarborPayload.class);
        assertThat(Payloads.forFormat("quay")).get().isInstanceOf(QuayPayload.class);
        assertThat(Payloads.forFormat("custom")).get().isInstanceOf(CustomPayload.class);
        assertThat(Payloads.forFormat("registry")).get().isInstanceOf(RegistryNotificationPayload.class);
    }

    @Test
    void findsNothingForAnUnknownOrMissingFormat() {
        assertThat(Payloads.forFormat("gitlab")).isEmpty();
        assertThat(Payloads.forFormat("DockerHub")).isEmpty();
        assertThat(Payloads.forFormat(null)).isEmpty();
    }

    @Test
    void returnsAFormatSetThatCannotBeChanged() {
        assertThatThrownBy(() -> Payloads.formats().add("gitlab"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
