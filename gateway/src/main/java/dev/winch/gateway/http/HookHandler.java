package dev.winch.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.event.Event;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.kafka.EventPublisher;
import dev.winch.gateway.payload.DockerHubPayload;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.payload.PushedImage;
import dev.winch.gateway.receiver.Receiver;
import dev.winch.gateway.receiver.ReceiverRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /hooks/{id}}: authenticate, validate, turn the request into one self-contained CloudEvent, and
 * answer 202 only after Kafka acknowledged it. If Kafka cannot take it the answer is 503 with Retry-After, so
 * the sender retries and nothing acknowledged is lost.
 */
public final class HookHandler implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(HookHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers a sender uses to name one delivery; a retried delivery carries the same value. */
    private static final List<String> DELIVERY_ID_HEADERS = List.of("X-Request-Id", "X-GitHub-Delivery",
            "X-Delivery-Id");

    private final ReceiverRegistry receivers;
    private final EventPublisher publisher;
    private final Clock clock;
    private final MeterRegistry metrics;

    public HookHandler(ReceiverRegistry receivers, EventPublisher publisher, Clock clock, MeterRegistry metrics) {
        this.receivers = receivers;
        this.publisher = publisher;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Optional<Receiver> found = receivers.find(id).filter(r -> r.token().matches(presentedToken(ctx)));
        if (found.isEmpty()) {
            count("not_found");
            ApiError.notFound().send(ctx);
            return;
        }
        Receiver receiver = found.get();
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType != null && !contentType.toLowerCase().startsWith("application/json")) {
            count("unsupported_media_type");
            new ApiError(415, "unsupported_media_type", "send the payload as application/json").send(ctx);
            return;
        }
        Event<ImagePushed> event;
        try {
            event = toEvent(receiver, ctx);
        } catch (InvalidPayloadException e) {
            count("invalid");
            new ApiError(400, "invalid_payload", e.getMessage(), e.errors()).send(ctx);
            return;
        }
        publisher.publish(event)
                .onSuccess(metadata -> {
                    count("accepted");
                    LOG.atInfo().addKeyValue("eventId", event.id()).addKeyValue("target", event.key())
                            .addKeyValue("receiver", receiver.id())
                            .log("Accepted {} {}", event.type().type(), event.data().image());
                    ctx.response()
                            .setStatusCode(202)
                            .putHeader("Content-Type", "application/json")
                            .end(new JsonObject()
                                    .put("receiver", receiver.id())
                                    .put("eventIds", new JsonArray().add(event.id()))
                                    .encode());
                })
                .onFailure(error -> {
                    count("unavailable");
                    LOG.atWarn().addKeyValue("eventId", event.id()).addKeyValue("receiver", receiver.id())
                            .log("Kafka did not take the event: {}", error.toString());
                    ctx.response().putHeader("Retry-After", "5");
                    new ApiError(503, "unavailable", "the event could not be stored; retry later").send(ctx);
                });
    }

    private Event<ImagePushed> toEvent(Receiver receiver, RoutingContext ctx) throws InvalidPayloadException {
        List<FieldError> errors = new ArrayList<>();
        Receiver.Redeploy rule = receiver.redeploy();
        // The seed 001 trigger URL names the target; it must be the one the receiver was made for.
        expectQuery(ctx, "ns", rule.workload().namespace(), errors);
        expectQuery(ctx, "workload", rule.workload().kind() + "/" + rule.workload().name(), errors);
        expectQuery(ctx, "container", rule.container(), errors);
        String repoType = Optional.ofNullable(ctx.queryParams().get("repo_type")).orElse(DockerHubPayload.FORMAT);
        if (!DockerHubPayload.FORMAT.equals(repoType)) {
            errors.add(new FieldError("query.repo_type", "must be dockerhub, got '" + repoType + "'"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException("the trigger URL does not match this receiver", errors);
        }
        PushedImage image = new DockerHubPayload().read(parse(ctx), null).get(0);
        ImagePushed data = new ImagePushed(receiver.id(), image.repository(), image.tag(), image.digest(),
                image.pusher(), image.format(), ImagePushed.UpgradeTarget.explicit(rule.workload(), rule.container()));
        return new Event<>(eventId(receiver, ctx), URI.create("/winch/gateway/hooks/" + receiver.id()),
                clock.instant(), data);
    }

    private static void expectQuery(RoutingContext ctx, String name, String expected, List<FieldError> errors) {
        String given = ctx.queryParams().get(name);
        if (given != null && !given.equals(expected)) {
            errors.add(new FieldError("query." + name, "does not match this receiver"));
        }
    }

    private static JsonNode parse(RoutingContext ctx) throws InvalidPayloadException {
        if (ctx.body() == null || ctx.body().length() == 0) {
            throw new InvalidPayloadException("a registry push payload is required",
                    List.of(new FieldError("$", "the body is empty")));
        }
        try {
            JsonNode node = JSON.readTree(ctx.body().buffer().getBytes());
            if (node == null || !node.isObject()) {
                throw new InvalidPayloadException("the body must be a JSON object",
                        List.of(new FieldError("$", "is not a JSON object")));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidPayloadException("the body is not valid JSON",
                    List.of(new FieldError("$", "malformed JSON at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr())));
        } catch (java.io.IOException e) {
            throw new InvalidPayloadException("the body could not be read", List.of(new FieldError("$", "unreadable")));
        }
    }

    /**
     * The CloudEvent id: derived from the sender's delivery id when it sent one, so a retried delivery maps to
     * the same id and is recognised downstream; otherwise a fresh one.
     */
    static String eventId(Receiver receiver, RoutingContext ctx) {
        for (String header : DELIVERY_ID_HEADERS) {
            String delivery = ctx.request().getHeader(header);
            if (delivery != null && !delivery.isBlank()) {
                return UUID.nameUUIDFromBytes((receiver.id() + "\n" + delivery.trim())
                        .getBytes(StandardCharsets.UTF_8)).toString();
            }
        }
        return UUID.randomUUID().toString();
    }

    /** The token from {@code ?token=}, {@code X-Winch-Token} or {@code Authorization: Bearer}. */
    private static String presentedToken(RoutingContext ctx) {
        String query = ctx.queryParams().get("token");
        if (query != null) {
            return query;
        }
        String header = ctx.request().getHeader("X-Winch-Token");
        if (header != null) {
            return header;
        }
        String authorization = ctx.request().getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    private void count(String outcome) {
        metrics.counter("winch_gateway_requests_total", "outcome", outcome).increment();
    }
}
