package dev.winch.notifier.channel.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winch.common.config.Secret;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventType;
import dev.winch.notifier.channel.CallerContext;
import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.channel.http.AnswerCheck;
import dev.winch.notifier.channel.http.Hmac;
import dev.winch.notifier.channel.http.HttpSender;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * A generic webhook: the action result POSTed as JSON, exactly as it is on {@code winch.results}.
 *
 * <p>With {@code cloudEvent: true} the request is a CloudEvent in HTTP binary mode: {@code ce-specversion: 1.0},
 * {@code ce-id} (the result's id), {@code ce-source}, {@code ce-type: dev.winch.action.completed} (the type the
 * result has on Kafka), {@code ce-subject} (the target), {@code ce-time} (when the action finished), the data as
 * the body with {@code content-type: application/json}.
 *
 * <p>A digest (several results folded by the delivery side) is one request with
 * {@code {"window":"...","results":[{"id":"...","result":{...}}, ...]}}, as a CloudEvent of type
 * {@code dev.winch.action.digest} whose id is derived from the folded result ids (the same for every attempt).
 *
 * <p>Every request has {@code X-Winch-Result-Id} (the result id, or the digest's id) so the receiving end can drop
 * a repeated delivery, and with a {@code signingSecret}, {@code X-Winch-Signature: sha256=<hex>}: the lower-case
 * hex HMAC-SHA256 of the exact body bytes, keyed with the secret's UTF-8 bytes (as GitHub's
 * {@code X-Hub-Signature-256}); compare it in constant time.
 */
public final class WebhookChannel implements Channel, AutoCloseable {

    public static final String SIGNATURE_HEADER = "X-Winch-Signature";
    public static final String RESULT_ID_HEADER = "X-Winch-Result-Id";
    public static final String DIGEST_TYPE = "dev.winch.action.digest";

    private final String name;
    private final Secret url;
    private final HttpSender sender;
    private final int messagesPerMinute;
    private final Secret signingSecret;
    private final Map<String, Secret> headers;
    private final boolean cloudEvent;
    private final String source;

    public WebhookChannel(String name, Secret url, HttpSender sender, int messagesPerMinute, Secret signingSecret,
            Map<String, Secret> headers, boolean cloudEvent, String source) {
        this.name = name;
        this.url = url;
        this.sender = sender;
        this.messagesPerMinute = messagesPerMinute;
        this.signingSecret = signingSecret;
        this.headers = Map.copyOf(headers);
        this.cloudEvent = cloudEvent;
        this.source = source;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "webhook";
    }

    @Override
    public int messagesPerMinute() {
        return messagesPerMinute;
    }

    @Override
    public Future<Delivery> send(Notification notification) {
        byte[] body;
        String id;
        String type;
        ActionResult last = notification.results().get(notification.results().size() - 1);
        try {
            if (notification instanceof Notification.Single single) {
                body = EventCodec.mapper().writeValueAsBytes(single.result());
                id = single.resultId();
                type = EventType.ACTION_COMPLETED.type();
            } else {
                Notification.Digest digest = (Notification.Digest) notification;
                ObjectNode json = EventCodec.mapper().createObjectNode();
                json.put("window", digest.window());
                ArrayNode results = json.putArray("results");
                for (int i = 0; i < digest.results().size(); i++) {
                    results.addObject().put("id", digest.resultIds().get(i))
                            .set("result", EventCodec.mapper().valueToTree(digest.results().get(i)));
                }
                body = EventCodec.mapper().writeValueAsBytes(json);
                id = digestId(digest);
                type = DIGEST_TYPE;
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Future.succeededFuture(new Delivery.Rejected("result cannot be written as JSON: "
                    + e.getClass().getSimpleName()));
        }
        MultiMap request = MultiMap.caseInsensitiveMultiMap();
        headers.forEach((header, value) -> request.set(header, value.reveal()));
        request.set("Content-Type", EventCodec.JSON);
        request.set(RESULT_ID_HEADER, id);
        if (cloudEvent) {
            request.set("ce-specversion", "1.0");
            request.set("ce-id", id);
            request.set("ce-source", source);
            request.set("ce-type", type);
            if (last.target() != null) {
                request.set("ce-subject", last.target());
            }
            if (last.finishedAt() != null) {
                request.set("ce-time",
                        DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(last.finishedAt().atOffset(ZoneOffset.UTC)));
            }
        }
        if (signingSecret != null) {
            request.set(SIGNATURE_HEADER, signature(signingSecret.reveal(), body));
        }
        return CallerContext.keep(sender.post(url.reveal(), request, Buffer.buffer(body), AnswerCheck.STATUS_ONLY));
    }

    /** {@code sha256=} and the hex HMAC-SHA256 of {@code body} keyed with {@code secret}. */
    public static String signature(String secret, byte[] body) {
        return "sha256=" + Hmac.hex(Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    private static String digestId(Notification.Digest digest) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String id : digest.resultIds()) {
                sha.update(id.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return "digest-" + Hmac.hex(sha.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        sender.close();
    }

    @Override
    public String toString() {
        return "WebhookChannel[" + name + (cloudEvent ? ", cloudEvent" : "") + "]";
    }
}
