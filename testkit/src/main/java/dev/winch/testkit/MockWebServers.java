package dev.winch.testkit;

import io.fabric8.mockwebserver.MockWebServer;

/**
 * The web server under the fabric8 Kubernetes mock, speaking as a Kubernetes API server on plain HTTP does.
 *
 * <p>fabric8's {@link MockWebServer} accepts an HTTP/2 upgrade on plain HTTP (h2c) by default, and the JDK HTTP
 * client the services use asks for one on every new plain-HTTP connection, so against the mock every request of a
 * client went over one multiplexed HTTP/2 connection. A real API server negotiates HTTP/2 only over TLS (ALPN) and
 * answers plain HTTP with HTTP/1.1. Over h2c a test saw three list calls of one client in a row hang until their
 * timeouts (they share the one connection); over HTTP/1.1 a call that times out takes its connection with it and
 * the next call opens another, as against a real server.
 */
public final class MockWebServers {

    private MockWebServers() {
    }

    /** A mock web server that answers HTTP/1.1 only, as an API server on plain HTTP does. */
    public static MockWebServer http11() {
        MockWebServer server = new MockWebServer();
        server.setHttp2ClearTextEnabled(false);
        return server;
    }
}
