package dev.winch.notifier.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Outcome;
import dev.winch.notifier.channel.Route;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static final Set<String> CHANNELS = Set.of("ops-mail", "team-chat", "audit-hook");

    static ActionResult result(String receiver, Outcome outcome) {
        return new ActionResult("evt-1", "dev.winch.image.pushed", receiver, "demo/deployment/web", outcome,
                "set web to nginx:1.27", Map.of(), Instant.EPOCH, Instant.EPOCH, "upgrader");
    }

    @Test
    void aReceiverRouteTakesTheOutcomesItNames() {
        RouteTable table = new RouteTable(CHANNELS, List.of());
        table.put("demo-web", List.of(new Route("ops-mail", Set.of(Outcome.FAILED, Outcome.APPLIED))));

        assertThat(table.channelsFor(result("demo-web", Outcome.FAILED))).containsExactly("ops-mail");
        assertThat(table.channelsFor(result("demo-web", Outcome.NOOP))).isEmpty();
        assertThat(table.channelsFor(result("other", Outcome.FAILED))).isEmpty();
        assertThat(table.channelsFor(result(null, Outcome.FAILED))).isEmpty();
    }

    @Test
    void defaultRoutesApplyToEveryReceiverAndAChannelComesOnce() {
        RouteTable table = new RouteTable(CHANNELS, List.of(new Route("audit-hook", Set.of()),
                new Route("ops-mail", Set.of(Outcome.FAILED))));
        table.put("demo-web", List.of(new Route("ops-mail", Set.of()), new Route("team-chat", Set.of())));

        assertThat(table.channelsFor(result("demo-web", Outcome.FAILED)))
                .containsExactly("ops-mail", "team-chat", "audit-hook");
        assertThat(table.channelsFor(result("other", Outcome.FAILED))).containsExactly("audit-hook", "ops-mail");
        assertThat(table.channelsFor(result(null, Outcome.APPLIED))).containsExactly("audit-hook");
    }

    @Test
    void ignoresAndReportsRoutesToUnknownChannelsKeepingTheOthers() {
        RouteTable table = new RouteTable(CHANNELS, List.of());

        List<Route> ignored = table.put("demo-web", List.of(new Route("ops-mial", Set.of()),
                new Route("team-chat", Set.of())));

        assertThat(ignored).extracting(Route::channel).containsExactly("ops-mial");
        assertThat(table.channelsFor(result("demo-web", Outcome.APPLIED))).containsExactly("team-chat");
    }

    @Test
    void aNewDefinitionReplacesTheOldAndDeletionForgetsIt() {
        RouteTable table = new RouteTable(CHANNELS, List.of());
        table.put("demo-web", List.of(new Route("ops-mail", Set.of())));
        table.put("demo-web", List.of(new Route("team-chat", Set.of())));
        assertThat(table.channelsFor(result("demo-web", Outcome.APPLIED))).containsExactly("team-chat");

        table.remove("demo-web");
        assertThat(table.channelsFor(result("demo-web", Outcome.APPLIED))).isEmpty();
    }

    @Test
    void refusesADefaultRouteToAnUnknownChannelNamingIt() {
        assertThatThrownBy(() -> new RouteTable(CHANNELS, List.of(new Route("ops-mail", Set.of()),
                new Route("nowhere", Set.of()))))
                .hasMessage("routes[1].channel: no channel named 'nowhere'");
    }
}
