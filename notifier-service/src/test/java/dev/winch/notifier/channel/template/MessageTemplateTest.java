package dev.winch.notifier.channel.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Outcome;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.channel.Results;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageTemplateTest {

    private static String render(String builtIn, TextFormat format, Notification notification) {
        return MessageTemplate.builtIn(builtIn, format).render(MessageModel.of(notification));
    }

    @ParameterizedTest
    @CsvSource({"dingtalk.peb,MARKDOWN", "wecom.peb,MARKDOWN", "slack.peb,SLACK", "feishu.peb,MARKDOWN",
            "teams.peb,MARKDOWN", "bearychat.peb,MARKDOWN", "mail-text.peb,TEXT", "mail-html.peb,HTML"})
    void aSingleResultSaysWhoTriggeredWhatWhereAndWhatBecameOfIt(String builtIn, TextFormat format) {
        String text = render(builtIn, format, Results.single(Results.upgrade("image updated")));

        assertThat(text).contains("receiver demo-hook", "image push", "demo/deployment/web",
                "container web: nginx:1.25 → nginx:1.26", "APPLIED", "image updated", "evt-42",
                "https://winch.example.com/api/v1/events/evt-42");
    }

    @Test
    void aResultWithoutAnEventUrlHasNoLink() {
        String text = render("dingtalk.peb", TextFormat.MARKDOWN,
                new Notification.Single("r", Results.upgrade("ok"), null));
        assertThat(text).contains("evt-42").doesNotContain("details", "http");
    }

    @Test
    void aScaleResultShowsTheReplicasBeforeAndAfter() {
        String text = render("dingtalk.peb", TextFormat.MARKDOWN,
                Results.single(Results.scale("demo/deployment/api", Outcome.APPLIED, 2, 5)));
        assertThat(text).contains("replicas 2 → 5", "scale request", "receiver alerts");
    }

    @Test
    void aFoldedScaleWriteSaysHowManyRequestsItServed() {
        ActionResult folded = new ActionResult("evt-7", "dev.winch.service.scale.requested", "alerts",
                "demo/deployment/api", Outcome.APPLIED, "scaled demo/deployment/api up from 2 to 5",
                Map.of("from", "3", "to", "4", "replicasBefore", "2", "replicasAfter", "5", "foldedCount", "3",
                        "foldedEventIds", "evt-6,evt-7,evt-8"),
                Results.STARTED, Results.FINISHED, "scaler");
        String text = render("mail-text.peb", TextFormat.TEXT, Results.single(folded));
        assertThat(text).contains("replicas 2 → 5 (one write for 3 requests)");
    }

    @ParameterizedTest
    @CsvSource({"dingtalk.peb,MARKDOWN", "slack.peb,SLACK", "mail-text.peb,TEXT", "mail-html.peb,HTML"})
    void aDigestListsItsResultsBriefly(String builtIn, TextFormat format) {
        String text = render(builtIn, format, Results.digest());
        assertThat(text).contains("3 results for demo/deployment/web in the last minute")
                .contains("scaled from 2 to 3", "scaled from 3 to 3", "scaled from 3 to 9")
                .contains("APPLIED", "NOOP", "FAILED");
    }

    @Test
    void theTitleNamesOutcomeTargetAndStage() {
        assertThat(render("title.peb", TextFormat.LINE, Results.single(Results.upgrade("x"))))
                .isEqualTo("APPLIED demo/deployment/web (apply)");
        assertThat(render("mail-subject.peb", TextFormat.LINE, Results.single(Results.upgrade("image updated"))))
                .isEqualTo("[Winch] APPLIED demo/deployment/web: image updated");
        assertThat(render("title.peb", TextFormat.LINE, Results.digest()))
                .isEqualTo("3 results for demo/deployment/web in the last minute");
    }

    @Test
    void mailHtmlEscapesValues() {
        String html = render("mail-html.peb", TextFormat.HTML,
                Results.single(Results.upgrade("<script>alert('x')</script> & \"more\"")));
        assertThat(html).doesNotContain("<script>")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;");
    }

    @Test
    void slackEscapesItsControlCharactersAndKeepsValuesOnOneLine() {
        String text = render("slack.peb", TextFormat.SLACK,
                Results.single(Results.upgrade("a <!channel> & b\n• injected line")));
        assertThat(text).contains("a &lt;!channel&gt; &amp; b • injected line").doesNotContain("<!channel>");
    }

    @Test
    void markdownValuesCannotStartALineOfTheirOwn() {
        String text = render("dingtalk.peb", TextFormat.MARKDOWN,
                Results.single(Results.upgrade("first\n### injected heading\r\n- injected item")));
        assertThat(text).contains("first ### injected heading - injected item");
        assertThat(text.lines()).noneMatch(line -> line.startsWith("### injected"));
    }

    @Test
    void aSubjectStaysOneLine() {
        String subject = render("mail-subject.peb", TextFormat.LINE,
                Results.single(Results.upgrade("line one\r\nBcc: victim@example.com")));
        assertThat(subject).doesNotContain("\n", "\r").endsWith("line one Bcc: victim@example.com");
    }

    @Test
    void aResultWithoutReceiverOrTargetStillReads() {
        ActionResult bare = new ActionResult("evt-1", null, null, null, Outcome.FAILED, null, Map.of(), null, null,
                "scaler");
        String text = render("mail-text.peb", TextFormat.TEXT, Results.single(bare));
        assertThat(text).contains("an unknown receiver", "(no target)", "FAILED", "evt-1");
    }

    @Test
    void anOperatorsTemplateSeesTheSameVariables() {
        MessageTemplate own = MessageTemplate.compile(
                "{{ outcome }}|{{ target }}|{{ before }}|{{ after }}|{{ details.repository }}|{{ resultId }}",
                TextFormat.TEXT);
        assertThat(own.render(MessageModel.of(Results.single(Results.upgrade("x")))))
                .isEqualTo("APPLIED|demo/deployment/web|nginx:1.25|nginx:1.26|library/nginx|res-evt-42");
    }

    @Test
    void aBrokenTemplateIsRefusedWithItsLine() {
        assertThatThrownBy(() -> MessageTemplate.compile("line one\n{% for x in %}", TextFormat.TEXT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("line 2: ");
    }
}
