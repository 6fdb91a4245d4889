package dev.winch.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the console's files may not contain, read as the gateway serves them from the classpath: no inline script
 * (the Content-Security-Policy would refuse it anyway), nothing fetched from another host, no way for API data to be
 * parsed as markup, and the admin token kept for the browser session only and never logged.
 */
class ConsoleResourcesTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = ConsoleResourcesTest.class.getClassLoader().getResourceAsStream("console/" + name)) {
            assertThat(in).as("console/%s on the classpath", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void thePageLoadsOnlyItsOwnScriptAndStyleAndHasNoInlineScript() throws IOException {
        String html = resource("index.html");
        Matcher scripts = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(html);
        int count = 0;
        while (scripts.find()) {
            count++;
            assertThat(scripts.group(1)).isEqualTo(" src=\"console.js\" defer");
            assertThat(scripts.group(2)).as("inline script").isBlank();
        }
        assertThat(count).isEqualTo(1);
        assertThat(html).as("event-handler attributes are inline script")
                .doesNotContainPattern("(?i)\\son[a-z]+\\s*=");
        assertThat(html).as("nothing from another host (no CDN)").doesNotContainPattern("(?i)(src|href)=\"(https?:)?//");
        assertThat(html).contains("<meta name=\"viewport\"").contains("<html lang=\"en\">");
    }

    @Test
    void theScriptNeverParsesDataAsMarkupNorReachesAnotherHost() throws IOException {
        String js = resource("console.js");
        for (String sink : new String[] {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                "new Function", "javascript:"}) {
            assertThat(js).as("no %s", sink).doesNotContain(sink);
        }
        assertThat(js).as("no absolute URL").doesNotContainPattern("https?://");
        assertThat(js).as("the token stays in the tab's session").doesNotContain("localStorage")
                .doesNotContain("document.cookie");
        assertThat(js).as("nothing logged to the browser console").doesNotContainPattern("console\\.(log|info|warn|error|debug)");
        assertThat(js).as("the token goes in the Authorization header")
                .contains("headers['Authorization'] = 'Bearer ' + token()");
    }

    @Test
    void theStylesheetImportsNothing() throws IOException {
        String css = resource("console.css");
        assertThat(css).doesNotContain("@import").doesNotContainPattern("url\\(");
    }
}
