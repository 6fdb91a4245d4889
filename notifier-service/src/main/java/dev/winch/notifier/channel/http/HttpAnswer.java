package dev.winch.notifier.channel.http;

import io.vertx.core.MultiMap;

/** What a remote end answered: status, headers and body text. */
public record HttpAnswer(int status, MultiMap headers, String body) {

    public HttpAnswer {
        body = body == null ? "" : body;
    }

    public boolean success() {
        return status >= 200 && status < 300;
    }
}
