package dev.winch.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.notifier.events.watch.EventsWatchConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NotifierMainTest {

    @Test
    void withTheWatcherOffNoKubernetesClientIsBuilt() throws Exception {
        Env env = new Env(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"));
        ServiceRuntime runtime = ServiceRuntime.create(RuntimeConfig.fromEnv("notifier", env));
        AtomicInteger built = new AtomicInteger();
        try {
            NotifierMain.startEventsWatch(runtime, EventsWatchConfig.fromEnv(Map.of()), settings -> {
                built.incrementAndGet();
                throw new IllegalStateException("no cluster here");
            }).await(10, TimeUnit.SECONDS);
        } finally {
            runtime.close().await(10, TimeUnit.SECONDS);
        }

        assertThat(built).hasValue(0);
    }

    @Test
    void theWatcherSettingsAreReadWithTheNotifiers() {
        NotifierMain.Settings settings = NotifierMain.Settings.fromEnv(Map.of(
                "WINCH_NOTIFIER_EVENTS_WATCH", "true", "WINCH_NOTIFIER_EVENTS_NAMESPACES", "demo"));

        assertThat(settings.events().enabled()).isTrue();
        assertThat(settings.runtime()).isEqualTo(settings.notifier().runtime());
    }
}
