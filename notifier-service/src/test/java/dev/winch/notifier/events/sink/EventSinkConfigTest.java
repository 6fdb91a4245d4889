package dev.winch.notifier.events.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import dev.winch.notifier.NotifierConfig;
import dev.winch.notifier.channel.ChannelsFile;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventSinkConfigTest {

    private static final Map<String, String> KAFKA = Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");

    private static Map<String, String> env(String... pairs) {
        Map<String, String> variables = new java.util.HashMap<>(KAFKA);
        for (int i = 0; i < pairs.length; i += 2) {
            variables.put(pairs[i], pairs[i + 1]);
        }
        return variables;
    }

    @Test
    void withoutTheVariableThereIsNoSinkAndRepeatsFoldOverAMinute() {
        EventSinkConfig events = NotifierConfig.fromEnv(env()).events();
        assertThat(events.sinks()).isEmpty();
        assertThat(events.aggregationWindow()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void theVariableHoldsKubeEventersFlagsOneALine() {
        EventSinkConfig events = NotifierConfig.fromEnv(env(EventSinkConfig.SINKS, """
                --sink=webhook:https://example.com/a?level=Normal
                --sink=slack:https://hooks.slack.com/services/T/B/X
                """, EventSinkConfig.AGGREGATION_WINDOW, "30s")).events();
        assertThat(events.sinks()).extracting(SinkSpec::name).containsExactly("events-webhook-1", "events-slack-2");
        assertThat(events.aggregationWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(NotifierConfig.fromEnv(env(EventSinkConfig.AGGREGATION_WINDOW, "0s")).events()
                .aggregationWindow()).isZero();
    }

    @Test
    void aBadFlagStopsTheStartNamingTheVariableLineAndParameter() {
        assertThatThrownBy(() -> NotifierConfig.fromEnv(env(EventSinkConfig.SINKS,
                "webhook:https://example.com/a\nwebhook:https://example.com/b?kinds=Pod&level=Error")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WINCH_NOTIFIER_EVENT_SINKS line 2: level: must be Warning or Normal");
        assertThatThrownBy(() -> NotifierConfig.fromEnv(env(EventSinkConfig.AGGREGATION_WINDOW, "soon")))
                .hasMessageContaining(EventSinkConfig.AGGREGATION_WINDOW);
    }

    @Test
    void theChannelsFilesEventSinksComeAfterTheVariablesWithNamesOfTheirOwn() {
        ChannelsFile file = ChannelsFile.parse("""
                eventSinks:
                  - --sink=webhook:https://example.com/file?level=Normal
                  - dingtalk:https://oapi.dingtalk.com/robot/send?access_token=t&sink_name=ding
                """, Map.of(), null, Clock.systemUTC());
        EventSinkConfig fromEnv = NotifierConfig.fromEnv(env(EventSinkConfig.SINKS,
                "webhook:https://example.com/env")).events();
        EventSinkConfig all = fromEnv.plus(SinkFlags.parse(file.eventSinks(), "channels file eventSinks",
                fromEnv.sinks().size() + 1));
        assertThat(all.sinks()).extracting(SinkSpec::name)
                .containsExactly("events-webhook-1", "events-webhook-2", "ding");
        assertThatThrownBy(() -> SinkFlags.parse(java.util.List.of("webhook:https://e.com/h?method=FETCH"),
                "channels file eventSinks", 1)).hasMessageStartingWith("channels file eventSinks[0]: method:");
        assertThatThrownBy(() -> fromEnv.plus(SinkFlags.parse(java.util.List.of("webhook:https://e.com/h"),
                "channels file eventSinks", 1))).hasMessageContaining("'events-webhook-1'");
    }
}
