package dev.winch.notifier.events.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventsWatchConfigTest {

    @Test
    void isOffAndClusterWideByDefault() {
        EventsWatchConfig config = EventsWatchConfig.fromEnv(Map.of("HOSTNAME", "notifier-0"));

        assertThat(config.enabled()).isFalse();
        assertThat(config.clusterWide()).isTrue();
        assertThat(config.leaseName()).isEqualTo("winch-notifier-events");
        assertThat(config.leaseNamespace()).isEqualTo("winch");
        assertThat(config.identity()).isEqualTo("notifier-0");
        assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.topic()).isEqualTo("winch.k8s.events");
    }

    @Test
    void readsNamespacesLeaseAndIdentity() {
        EventsWatchConfig config = EventsWatchConfig.fromEnv(Map.of(
                "WINCH_NOTIFIER_EVENTS_WATCH", "true",
                "WINCH_NOTIFIER_EVENTS_NAMESPACES", " demo, ops ,demo,",
                "POD_NAMESPACE", "platform",
                "WINCH_INSTANCE_ID", "notifier-1",
                "HOSTNAME", "ignored"));

        assertThat(config.enabled()).isTrue();
        assertThat(config.namespaces()).containsExactly("demo", "ops");
        assertThat(config.leaseNamespace()).isEqualTo("platform");
        assertThat(config.identity()).isEqualTo("notifier-1");
    }

    @Test
    void rejectsARenewDeadlineNotBelowTheLeaseDurationAndBadNamesNamingTheVariables() {
        assertThatThrownBy(() -> EventsWatchConfig.fromEnv(Map.of(
                "WINCH_NOTIFIER_EVENTS_LEASE_DURATION", "10s",
                "WINCH_NOTIFIER_EVENTS_LEASE_RENEW_DEADLINE", "10s",
                "WINCH_NOTIFIER_EVENTS_NAMESPACES", "demo,Not_A_Namespace",
                "WINCH_NOTIFIER_EVENTS_LEASE_NAMESPACE", "UPPER")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_NOTIFIER_EVENTS_LEASE_RENEW_DEADLINE must be less than "
                        + "WINCH_NOTIFIER_EVENTS_LEASE_DURATION")
                .hasMessageContaining("WINCH_NOTIFIER_EVENTS_NAMESPACES")
                .hasMessageContaining("Not_A_Namespace")
                .hasMessageContaining("WINCH_NOTIFIER_EVENTS_LEASE_NAMESPACE");
    }

    @Test
    void rejectsAWatchSwitchThatIsNotABoolean() {
        assertThatThrownBy(() -> EventsWatchConfig.fromEnv(Map.of("WINCH_NOTIFIER_EVENTS_WATCH", "maybe")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_NOTIFIER_EVENTS_WATCH");
    }
}
