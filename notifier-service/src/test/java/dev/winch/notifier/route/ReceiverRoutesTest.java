package dev.winch.notifier.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.event.Outcome;
import dev.winch.notifier.channel.Route;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiverRoutesTest {

    private static ReceiverRoutes decode(String json) throws IOException {
        return ReceiverRoutes.decode(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsIdAndRoutesOfAStoredReceiverIgnoringEverythingElse() throws Exception {
        ReceiverRoutes routes = decode("""
                {'id':'demo-web','kind':'redeploy','auth':{'tokenSha256':'ab'},'redeploy':{'namespace':'demo'},
                 'somethingNew':{'x':1},
                 'notify':[{'channel':'ops-mail','outcomes':['FAILED','APPLIED']},{'channel':'team-chat'}]}
                """);

        assertThat(routes.id()).isEqualTo("demo-web");
        assertThat(routes.routes()).containsExactly(
                new Route("ops-mail", Set.of(Outcome.FAILED, Outcome.APPLIED)), new Route("team-chat", Set.of()));
        assertThat(routes.ignored()).isEmpty();
    }

    @Test
    void aReceiverWithoutNotifyHasNoRoutes() throws Exception {
        assertThat(decode("{'id':'demo-web','kind':'redeploy'}").routes()).isEmpty();
    }

    @Test
    void skipsOutcomesItDoesNotKnowButNeverWidensARoute() throws Exception {
        ReceiverRoutes routes = decode("""
                {'id':'r','notify':[{'channel':'a','outcomes':['FAILED','ROLLED_BACK']},
                                    {'channel':'b','outcomes':['ROLLED_BACK']}]}
                """);

        assertThat(routes.routes()).containsExactly(new Route("a", Set.of(Outcome.FAILED)));
        assertThat(routes.ignored()).containsExactly("notify[0].outcomes: unknown outcome 'ROLLED_BACK'",
                "notify[1].outcomes: unknown outcome 'ROLLED_BACK'", "notify[1]: none of its outcomes is known");
    }

    @Test
    void aRouteWhoseOutcomesAreNotAListIsDroppedNotWidened() throws Exception {
        ReceiverRoutes routes = decode("{'id':'r','notify':[{'channel':'a','outcomes':'FAILED'},{'channel':'b'}]}");

        assertThat(routes.routes()).containsExactly(new Route("b", Set.of()));
        assertThat(routes.ignored()).containsExactly("notify[0]: outcomes is not a list");
    }

    @Test
    void refusesARecordWithoutId() {
        assertThatThrownBy(() -> decode("{'notify':[]}")).isInstanceOf(IOException.class);
    }

    @Test
    void readsRoutesFromTheGatewaysReceiversFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("receivers.yaml");
        Files.writeString(file, """
                receivers:
                  - id: demo-web
                    kind: redeploy
                    token: change-me
                    notify:
                      - channel: ops-mail
                        outcomes: [FAILED]
                  - id: quiet
                    kind: redeploy
                """);

        List<ReceiverRoutes> routes = ReceiverRouteLearner.readFile(file);

        assertThat(routes).extracting(ReceiverRoutes::id).containsExactly("demo-web", "quiet");
        assertThat(routes.get(0).routes()).containsExactly(new Route("ops-mail", Set.of(Outcome.FAILED)));
        assertThat(routes.get(1).routes()).isEmpty();
    }
}
