package dev.winch.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.gateway.GatewayTopics;
import dev.winch.gateway.Http;
import dev.winch.gateway.RunningGateway;
import dev.winch.gateway.http.ConsolePages;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.WithKafka;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The console's files as the gateway serves them: where, with which security headers, and nothing else. */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsolePagesIT {

    private final Http http = new Http();
    private RunningGateway gateway;

    @BeforeAll
    void start(KafkaBroker broker) throws Exception {
        GatewayTopics.create(broker);
        gateway = RunningGateway.start(broker.bootstrapServers(), Map.of("WINCH_ADMIN_TOKEN", "console-routes-token"));
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private HttpResponse<String> get(String path) {
        return http.get(gateway.uri(path));
    }

    @Test
    void servesThePagesWithTheSecurityHeaders() {
        for (String path : new String[] {"/console/", "/console/index.html", "/console/console.js", "/console/console.css"}) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Security-Policy")).as(path)
                    .hasValue(ConsolePages.CONTENT_SECURITY_POLICY);
            assertThat(response.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
            assertThat(response.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
            assertThat(response.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
            assertThat(response.headers().allValues("Set-Cookie")).as(path).isEmpty();
        }
        assertThat(get("/console/").headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/html"));
        assertThat(get("/console/console.js").headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).contains("javascript"));
        assertThat(get("/console/").body()).contains("<script src=\"console.js\" defer></script>");
    }

    @Test
    void theBarePathRedirectsToTheConsole() {
        HttpResponse<String> response = get("/console");
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValue("/console/");
    }

    @Test
    void nothingOutsideTheConsoleFilesIsServed() {
        assertThat(get("/console/missing.html").statusCode()).isEqualTo(404);
        assertThat(get("/console/../api/v1/receivers").statusCode()).as("the API still wants its token").isEqualTo(401);
        assertThat(get("/console/%2e%2e/winch-test-logback.xml").statusCode()).isEqualTo(404);
        assertThat(get("/console/dev/winch/gateway/GatewayMain.class").statusCode()).isEqualTo(404);
    }

    @Test
    void theAdminApiStillNeedsTheTokenTheConsoleCarries() {
        Http.assertApiError(get("/api/v1/receivers"), 401, "unauthorized");
    }
}
