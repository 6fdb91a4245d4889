package dev.winch.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.WithKafka;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gateway listens where it is told: on every interface by default (what a container needs), on loopback
 * only when {@code WINCH_HTTP_HOST} and {@code WINCH_MANAGEMENT_HOST} say so, as the local run does. Linux routes
 * all of 127.0.0.0/8 to the loopback interface, so 127.0.0.2 is a second local address to try from.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayBindAddressIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String bootstrap;

    @BeforeAll
    void topics(KafkaBroker broker) throws Exception {
        bootstrap = broker.bootstrapServers();
        GatewayTopics.create(broker);
    }

    private HttpResponse<String> get(String host, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listensOnEveryInterfaceByDefault() throws Exception {
        try (RunningGateway gateway = RunningGateway.start(bootstrap, Map.of())) {
            assertThat(gateway.config().httpHost()).isEqualTo("0.0.0.0");
            assertThat(get("127.0.0.2", gateway.port(), "/hooks/nobody").statusCode()).isEqualTo(405);
        }
    }

    @Test
    void staysOnTheConfiguredAddress() throws Exception {
        try (RunningGateway gateway = RunningGateway.start(bootstrap, Map.of("WINCH_HTTP_HOST", "127.0.0.1"))) {
            assertThat(get("127.0.0.1", gateway.port(), "/hooks/nobody").statusCode()).isEqualTo(405);
            assertThatThrownBy(() -> get("127.0.0.2", gateway.port(), "/hooks/nobody"))
                    .isInstanceOf(ConnectException.class);
        }
    }
}
