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
    void findsEachAdapterByTheFormatItReports() {
        for (String format : Payloads.formats()) {
            assertThat(Payloads.forFormat(format)).get().extracting(RegistryPayload::format).isEqualTo(format);
        }
        assertThat(Payloads.forFormat("aliyun")).get().isInstanceOf(AliyunAcrPayload.class);
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
