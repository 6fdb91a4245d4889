package dev.winch.notifier.channel.http;

import dev.winch.notifier.channel.Delivery;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP POST per call, its answer turned into a {@link Delivery}: 2xx and the API's own check of the body →
 * what the check says; 408, 429 and 5xx → {@link Delivery.Retry} (with {@code Retry-After}, seconds or a date);
 * other statuses → {@link Delivery.Rejected}; no answer (connection refused, timeout, TLS) → Retry. Never fails
 * its future. Reasons are redacted: no token of the URL nor secret of the channel appears in them.
 */
public final class HttpSender implements AutoCloseable {

    private static final int MAX_BODY_IN_REASON = 200;

    private final WebClient client;
    private final Duration timeout;
    private final Clock clock;
    private final Redactor redactor;

    public HttpSender(WebClient client, Duration timeout, Clock clock, Redactor redactor) {
        this.client = client;
        this.timeout = timeout;
        this.clock = clock;
        this.redactor = redactor;
    }

    /**
     * A client of its own for one channel.
     *
     * @param verifyTls     false trusts any certificate and host name (a test server; say so in the channel's docs)
     * @param caCertificate PEM of an extra CA to trust (a self-signed server), or null
     */
    public static WebClient client(Vertx vertx, Duration timeout, boolean verifyTls, String caCertificate) {
        WebClientOptions options = new WebClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .setFollowRedirects(false)
                .setUserAgent("winch-notifier");
        if (!verifyTls) {
            options.setTrustAll(true).setVerifyHost(false);
        } else if (caCertificate != null) {
            options.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caCertificate)));
        }
        return WebClient.create(vertx, options);
    }

    public Redactor redactor() {
        return redactor;
    }

    public Clock clock() {
        return clock;
    }

    public Future<Delivery> post(String url, MultiMap headers, Buffer body, AnswerCheck check) {
        return send(HttpMethod.POST, url, headers, body, check);
    }

    /** As {@link #post}, with another method (a Kubernetes event webhook sink's {@code method=}). */
    public Future<Delivery> send(HttpMethod method, String url, MultiMap headers, Buffer body, AnswerCheck check) {
        Future<HttpResponse<Buffer>> sent;
        try {
            sent = client.requestAbs(method, url).putHeaders(headers).timeout(timeout.toMillis()).sendBuffer(body);
        } catch (RuntimeException e) {
            return Future.succeededFuture(new Delivery.Rejected("request cannot be made: " + describe(e)));
        }
        return sent.map(response -> classify(
                        new HttpAnswer(response.statusCode(), response.headers(), bodyText(response)), check))
                .recover(error -> Future.succeededFuture(new Delivery.Retry(describe(error), null)));
    }

    private Delivery classify(HttpAnswer answer, AnswerCheck check) {
        int status = answer.status();
        if (answer.success()) {
            try {
                return check.check(answer);
            } catch (RuntimeException e) {
                return new Delivery.Rejected("HTTP " + status + ", answer not understood: " + describe(e));
            }
        }
        String said = shortBody(answer.body());
        if (status == 408 || status == 429 || status >= 500) {
            Duration retryAfter = RetryAfter.parse(answer.headers().get("Retry-After"), clock.instant());
            return new Delivery.Retry("HTTP " + status + said, retryAfter);
        }
        return new Delivery.Rejected("HTTP " + status + said);
    }

    /** A short, redacted quote of an answer's body for a reason, or nothing. */
    public String shortBody(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        if (oneLine.length() > MAX_BODY_IN_REASON) {
            oneLine = oneLine.substring(0, MAX_BODY_IN_REASON) + "…";
        }
        return ": " + redactor.redact(oneLine);
    }

    private String describe(Throwable error) {
        if (error instanceof TimeoutException || error.getClass().getSimpleName().contains("Timeout")) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        String kind = error instanceof ConnectException ? "connection failed" : error.getClass().getSimpleName();
        return redactor.redact(kind + (error.getMessage() == null ? "" : ": " + error.getMessage()));
    }

    private static String bodyText(HttpResponse<Buffer> response) {
        Buffer body = response.body();
        return body == null ? "" : body.toString();
    }

    @Override
    public void close() {
        client.close();
    }
}
