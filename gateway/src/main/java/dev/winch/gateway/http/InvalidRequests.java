package dev.winch.gateway.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests the HTTP decoder could not read (a request line or headers over the limits, a malformed request) get the
 * gateway's one error shape instead of Vert.x's empty answer; the connection is then closed, as Vert.x does, since
 * what follows on it cannot be trusted to start a request.
 */
public final class InvalidRequests implements Handler<HttpServerRequest> {

    /** The longest request line (method, path and query, version): longer gets 414. */
    public static final int MAX_INITIAL_LINE_LENGTH = HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH;
    /** The most bytes of headers: more gets 431. */
    public static final int MAX_HEADER_SIZE = HttpServerOptions.DEFAULT_MAX_HEADER_SIZE;

    /** The server options with the limits this handler reports, stated rather than left to Vert.x's defaults. */
    public static HttpServerOptions limits(HttpServerOptions options) {
        return options.setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH).setMaxHeaderSize(MAX_HEADER_SIZE);
    }

    @Override
    public void handle(HttpServerRequest request) {
        Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
        ApiError error;
        if (cause instanceof TooLongHttpLineException) {
            error = new ApiError(414, "uri_too_long",
                    "the request line is longer than " + MAX_INITIAL_LINE_LENGTH + " bytes");
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = new ApiError(431, "headers_too_large",
                    "the request headers are larger than " + MAX_HEADER_SIZE + " bytes");
        } else {
            error = new ApiError(400, "bad_request", "the request is not valid HTTP");
        }
        request.response().putHeader("Connection", "close");
        error.send(request.response());
        request.connection().close();
    }
}
