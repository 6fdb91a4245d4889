package dev.winch.notifier.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.config.ConfigException;
import dev.winch.common.event.Outcome;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelsFileTest {

    private static final String DING_URL = "https://oapi.dingtalk.com/robot/send?access_token=tok-DING-123";
    private static final String DING_SECRET = "SECdingSecretValue";
    private static final String SMTP_PASSWORD = "p@ss word!";
    private static final Map<String, String> ENV = Map.of(
            "DINGTALK_URL", DING_URL,
            "DINGTALK_SECRET", DING_SECRET,
            // as `echo <password> | base64` writes it: with the line break echo adds
            "SMTP_PASSWORD", Base64.getEncoder().encodeToString((SMTP_PASSWORD + "\n").getBytes(StandardCharsets.UTF_8)),
            "SLACK_URL", "https://hooks.slack.com/services/T0/B0/slackTokenXYZ",
            "NOT_BASE64", "%%% not base64 %%%",
            "NOT_A_URL", "ftp://files.example.com/x?token=ftpTokenABC");

    private Vertx vertx;
    private ChannelsFile loaded;

    @TempDir
    Path dir;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stopVertx() {
        if (loaded != null) {
            loaded.close();
        }
        vertx.close().await();
    }

    private ChannelsFile parse(String yaml) {
        return ChannelsFile.parse(yaml, ENV, vertx, Clock.systemUTC());
    }

    private List<String> problems(String yaml) {
        try {
            loaded = parse(yaml);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the file to be refused");
    }

    @Test
    void loadsEveryKindAndTheDefaultRoutes() throws Exception {
        Path file = dir.resolve("channels.yaml");
        Files.writeString(file, """
                channels:
                  - name: ops-mail
                    kind: smtp
                    host: smtp.example.com
                    port: 465
                    from: winch@example.com
                    username: winch
                    password: {env: SMTP_PASSWORD, encoding: base64}
                    to: [ops@example.com, dev@example.com]
                  - name: team-ding
                    kind: dingtalk
                    url: {env: DINGTALK_URL}
                    secret: {env: DINGTALK_SECRET}
                    messagesPerMinute: 10
                  - {name: wecom, kind: wecom, url: {env: DINGTALK_URL}}
                  - {name: slack, kind: slack, url: {env: SLACK_URL}}
                  - {name: feishu, kind: feishu, url: {env: SLACK_URL}, secret: {env: DINGTALK_SECRET}}
                  - {name: teams, kind: teams, url: {env: SLACK_URL}, timeout: 3s}
                  - {name: beary, kind: bearychat, url: {env: SLACK_URL}}
                  - {name: audit, kind: webhook, url: "https://audit.example.com/winch", cloudEvent: true}
                routes:
                  - {channel: ops-mail, outcomes: [FAILED, applied]}
                  - {channel: team-ding}
                """);
        try (LogCapture logs = new LogCapture()) {
            loaded = ChannelsFile.load(file, ENV, vertx);
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("team-ding (dingtalk)"));
            assertThat(String.join("\n", logs.lines())).doesNotContain("tok-DING-123", DING_SECRET, SMTP_PASSWORD,
                    "slackTokenXYZ");
        }

        assertThat(loaded.channels()).extracting(Channel::name)
                .containsExactly("ops-mail", "team-ding", "wecom", "slack", "feishu", "teams", "beary", "audit");
        assertThat(loaded.channels()).extracting(Channel::kind)
                .containsExactly("smtp", "dingtalk", "wecom", "slack", "feishu", "teams", "bearychat", "webhook");
        assertThat(loaded.channel("team-ding").messagesPerMinute()).isEqualTo(10);
        assertThat(loaded.channel("wecom").messagesPerMinute()).isEqualTo(20);
        assertThat(loaded.channel("nope")).isNull();
        assertThat(loaded.defaultRoutes()).containsExactly(
                new Route("ops-mail", Set.of(Outcome.FAILED, Outcome.APPLIED)), new Route("team-ding", Set.of()));
        assertThat(loaded.toString()).doesNotContain("tok-DING-123", DING_SECRET, SMTP_PASSWORD);
    }

    @Test
    void theReadmesOwnTemplateExampleLoadsAndReads() {
        loaded = parse("""
                channels:
                  - name: short-ding
                    kind: dingtalk
                    url: {env: DINGTALK_URL}
                    title: "{{ outcome }} {{ target }}"
                    template: |
                      {% if digest %}{{ count }} results for {{ target }}{% else %}**{{ outcome }}** {{ target }}: {{ reason }}
                      {% for change in changes %}- {{ change }}
                      {% endfor %}{% if eventUrl %}[event {{ eventId }}]({{ eventUrl }}){% endif %}{% endif %}
                """);
        var message = ((dev.winch.notifier.channel.chat.ChatChannel) loaded.channel("short-ding"))
                .render(Results.single(Results.upgrade("image updated")));
        assertThat(message.title()).isEqualTo("APPLIED demo/deployment/web");
        assertThat(message.text()).isEqualTo("""
                **APPLIED** demo/deployment/web: image updated
                - container web: nginx:1.25 → nginx:1.26
                [event evt-42](https://winch.example.com/api/v1/events/evt-42)""");
    }

    @Test
    void mailAddressesAreChecked() {
        assertThat(problems("""
                channels:
                  - {name: m, kind: smtp, host: mail, from: "Winch <winch@example.com>", to: [ops@example.com, nobody],
                     username: winch}
                  - {name: n, kind: smtp, host: mail, from: "winch at example.com", tls: sometimes}
                """)).containsExactlyInAnyOrder(
                "channels[0].password: is required with a username",
                "channels[0].to[1]: is not a mail address",
                "channels[1].tls: must be one of implicit, starttls, none, got 'sometimes'",
                "channels[1].from: is not a mail address",
                "channels[1].to: is required: at least one recipient");
    }

    @Test
    void anEmptyFileHasNoChannels() {
        loaded = parse("");
        assertThat(loaded.channels()).isEmpty();
        assertThat(loaded.defaultRoutes()).isEmpty();
    }

    @Test
    void namesEveryBadFieldAtOnce() {
        List<String> problems = problems("""
                channels:
                  - {name: a, kind: pager}
                  - {name: b, kind: dingtalk}
                  - {name: c, kind: slack, url: {env: NOT_A_URL}}
                  - {name: a, kind: wecom, url: {env: MISSING_VAR}}
                  - {name: e, kind: smtp, from: winch@example.com, to: [ops@example.com], caCertificate: "not a pem"}
                  - {name: f, kind: teams, url: {env: SLACK_URL}, messagesPerMinute: 0, colour: red}
                routes:
                  - {channel: ghost}
                  - {channel: b, outcomes: [FAILED, BROKEN]}
                """);
        assertThat(problems).containsExactlyInAnyOrder(
                "channels[0].kind: unknown kind 'pager' (one of smtp, dingtalk, wecom, slack, feishu, teams,"
                        + " bearychat, webhook)",
                "channels[1].url: is required",
                "channels[2].url: must be an absolute http or https URL with a host",
                "channels[3].name: another channel is already named 'a'",
                "channels[3].url: environment variable MISSING_VAR is not set",
                "channels[4].host: is required",
                "channels[4].caCertificate: is neither a PEM certificate nor base64 of one",
                "channels[5].messagesPerMinute: must be between 1 and 600000, got 0",
                "channels[5].colour: unknown field (known: caCertificate, kind, messagesPerMinute, name, template,"
                        + " timeout, title, url, verifyTls)",
                "routes[0].channel: no channel is named 'ghost'",
                "routes[1].outcomes[1]: unknown outcome 'BROKEN' (one of APPLIED, NOOP, DUPLICATE, SKIPPED, FAILED)");
        assertThat(String.join("\n", problems)).doesNotContain("ftpTokenABC");
    }

    @Test
    void refusesAnInlineSecretWithoutRepeatingIt() {
        List<String> problems = problems("""
                channels:
                  - {name: d, kind: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=inlineTok",
                     secret: inlineSecretValue}
                  - {name: m, kind: smtp, host: mail, from: a@b.c, to: [x@y.z], username: u, password: hunter2}
                """);
        assertThat(problems).containsExactlyInAnyOrder(
                "channels[0].url: a secret must be given by reference ({env: NAME} or {file: PATH}), not inline",
                "channels[0].secret: a secret must be given by reference ({env: NAME} or {file: PATH}), not inline",
                "channels[1].password: a secret must be given by reference ({env: NAME} or {file: PATH}), not inline");
        assertThat(String.join("\n", problems)).doesNotContain("inlineTok", "inlineSecretValue", "hunter2");
    }

    @Test
    void aBadBase64SecretIsNamedButNotShown() {
        List<String> problems = problems("""
                channels:
                  - {name: m, kind: smtp, host: mail, from: a@b.c, to: [x@y.z], username: u,
                     password: {env: NOT_BASE64, encoding: base64}}
                """);
        assertThat(problems).containsExactly(
                "channels[0].password: the value of environment variable NOT_BASE64 is not valid base64");
        assertThat(problems.get(0)).doesNotContain("%%%");
    }

    @Test
    void readsSecretsFromFilesWithoutTheirLastLineBreak() throws Exception {
        Path secretFile = dir.resolve("ding-url");
        Files.writeString(secretFile, DING_URL + "\n");
        loaded = parse("""
                channels:
                  - {name: d, kind: dingtalk, url: {file: %s}}
                """.formatted(secretFile));
        assertThat(loaded.channel("d").kind()).isEqualTo("dingtalk");

        List<String> problems = problems("""
                channels:
                  - {name: d, kind: dingtalk, url: {file: %s}}
                """.formatted(dir.resolve("missing")));
        assertThat(problems).containsExactly("channels[0].url: file " + dir.resolve("missing")
                + " cannot be read (NoSuchFileException)");
    }

    @Test
    void aBrokenTemplateFailsAtLoadNamingItsField() {
        List<String> problems = problems("""
                channels:
                  - name: s
                    kind: slack
                    url: {env: SLACK_URL}
                    template: "{% if outcome %}never closed"
                """);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).startsWith("channels[0].template: is not a valid template: ");
    }

    @Test
    void notYamlIsRefusedWithItsPositionButNotItsText() {
        List<String> problems = problems("""
                channels:
                  - name: x
                   password: hunter2: [
                """);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).startsWith("not valid YAML at line ").doesNotContain("hunter2");
    }

    @Test
    void anUnreadableFileIsAConfigurationError() {
        assertThatThrownBy(() -> ChannelsFile.load(dir.resolve("none.yaml"), ENV, vertx))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("none.yaml cannot be read");
    }
}
