package dev.winch.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.event.Event;
import dev.winch.common.kafka.EventPublisher;
import dev.winch.gateway.auth.Authenticator;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.payload.JsonBodies;
import dev.winch.gateway.plan.EventIds;
import dev.winch.gateway.plan.TriggerPlan;
import dev.winch.gateway.plan.TriggerPlanner;
import dev.winch.gateway.receiver.Receiver;
import dev.winch.gateway.receiver.ReceiverRegistry;
import dev.winch.gateway.status.EventStatusStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /hooks/{id}}: authenticate, rate-limit, validate, turn the request into self-contained CloudEvents,
 * and answer 202 only after Kafka acknowledged every one of them. If Kafka cannot take them, or too many
 * requests are already waiting for Kafka, the answer is 503 with Retry-After: the sender retries and nothing
 * acknowledged is lost. A request that asks for nothing gets 200 and the reason.
 */
public final class HookHandler implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(HookHandler.class);
    /** Encoded once: the header is on every answer, and Netty copies a prepared value as it is. */
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

    private final ReceiverRegistry receivers;
    private final EventPublisher publisher;
    private final EventStatusStore status;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final int maxInFlight;
    private final int maxBodyBytes;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Meters> meters = new ConcurrentHashMap<>();

    public HookHandler(ReceiverRegistry receivers, EventPublisher publisher, EventStatusStore status, Clock clock,
            MeterRegistry metrics, int maxInFlight, int maxBodyBytes) {
        this.receivers = receivers;
        this.publisher = publisher;
        this.status = status;
        this.clock = clock;
        this.metrics = metrics;
        this.maxInFlight = maxInFlight;
        this.maxBodyBytes = maxBodyBytes;
        metrics.gauge("winch_gateway_in_flight", inFlight);
    }

    /** Through the router, for paths it had to normalise: the body is already read and within the limit. */
    @Override
    public void handle(RoutingContext ctx) {
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        // The router adds path parameters to the request's parameters: the query is what the sender sent.
        handle(ctx.request(), ctx.pathParam("id"), ctx::queryParams, body == null ? new byte[0] : body.getBytes());
    }

    /**
     * {@code POST /hooks/{id}} straight from the HTTP server (the path every sender uses): reads the body up to the
     * limit, answering 413 as soon as it is exceeded, then handles the request.
     */
    public void accept(HttpServerRequest request, String receiverId) {
        long declared = contentLength(request);
        if (declared > maxBodyBytes) {
            request.handler(ignored -> { });
            tooLarge(request.response());
            return;
        }
        Buffer body = Buffer.buffer(declared > 0 ? (int) declared : 256);
        boolean[] exceeded = {false};
        request.handler(chunk -> {
            if (exceeded[0]) {
                return;
            }
            if (body.length() + chunk.length() > maxBodyBytes) {
                exceeded[0] = true;
                tooLarge(request.response());
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.endHandler(v -> {
            if (!exceeded[0]) {
                handle(request, receiverId, request::params, body.getBytes());
            }
        });
        request.exceptionHandler(error -> LOG.debug("Request to {} broken off: {}", request.path(), error.toString()));
    }

    private void handle(HttpServerRequest http, String receiverId, Supplier<MultiMap> params, byte[] bytes) {
        try {
            MultiMap query;
            try {
                query = params.get();
            } catch (IllegalArgumentException e) {
                // Vert.x decodes the query on first use and throws on a broken escape such as %G1 or a lone %.
                reject(http, "invalid", System.nanoTime(), new ApiError(400, "invalid_request",
                        "the query string is not valid", List.of(new FieldError("query", "bad percent-encoding"))));
                return;
            }
            handleRequest(http, receiverId, query, bytes);
        } catch (RuntimeException e) {
            LOG.error("Unhandled error on {}", http.path(), e);
            ApiError.internal().send(http.response());
        }
    }

    private void handleRequest(HttpServerRequest http, String receiverId, MultiMap query, byte[] bytes) {
        long started = System.nanoTime();
        HookRequest request = request(http, query, bytes);
        Body body = Body.parse(request.body());
        Optional<Receiver> found = receivers.find(receiverId)
                .filter(receiver -> Authenticator.permits(receiver, request, body.json()));
        if (found.isEmpty()) {
            reject(http, "not_found", started, ApiError.notFound());
            return;
        }
        Receiver receiver = found.get();
        if (!receiver.bucket().tryAcquire()) {
            http.response().putHeader("Retry-After", String.valueOf(receiver.bucket().secondsUntilNext()));
            reject(http, "rate_limited", started, new ApiError(429, "rate_limited",
                    "too many requests for this receiver; retry later"));
            return;
        }
        String contentType = http.getHeader("Content-Type");
        if (request.body().length > 0 && contentType != null && !isJson(contentType)) {
            reject(http, "unsupported_media_type", started, new ApiError(415, "unsupported_media_type",
                    "send the payload as application/json"));
            return;
        }
        TriggerPlan plan;
        try {
            plan = TriggerPlanner.plan(receiver.spec(), request, body.orThrow());
        } catch (InvalidPayloadException e) {
            reject(http, "invalid", started, new ApiError(400, "invalid_payload", e.getMessage(), e.errors()));
            return;
        }
        if (plan instanceof TriggerPlan.Nothing nothing) {
            count("nothing_to_do", started);
            LOG.atInfo().addKeyValue("receiver", receiver.id()).log("Nothing to do: {}", nothing.reason());
            json(http, 200, new JsonObject().put("receiver", receiver.id()).put("eventIds", new JsonArray())
                    .put("message", nothing.reason()));
            return;
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            http.response().putHeader("Retry-After", "1");
            reject(http, "overloaded", started,
                    new ApiError(503, "unavailable", "too many requests in flight; retry later"));
            return;
        }
        TriggerPlan.Events events = (TriggerPlan.Events) plan;
        List<Event<?>> toWrite = events(receiver, request, events);
        EventStatusStore.RequestInfo seen = new EventStatusStore.RequestInfo(request.remoteAddress(),
                http.getHeader(HttpHeaders.USER_AGENT), contentType, request.body().length,
                Authenticator.method(receiver, request));
        written(toWrite)
                .onComplete(ar -> inFlight.decrementAndGet())
                .onSuccess(done -> {
                    count("accepted", started);
                    for (Event<?> event : toWrite) {
                        String target = event.key();
                        status.accepted(event, target, seen);
                        LOG.atInfo().addKeyValue("eventId", event.id()).addKeyValue("target", target)
                                .addKeyValue("receiver", receiver.id()).log("Accepted {}", event.type().type());
                    }
                    json(http, 202, accepted(receiver, toWrite, events.skipped()));
                })
                .onFailure(error -> {
                    LOG.atWarn().addKeyValue("receiver", receiver.id())
                            .log("Kafka did not acknowledge {} event(s): {}", toWrite.size(), error.toString());
                    http.response().putHeader("Retry-After", "5");
                    reject(http, "unavailable", started, new ApiError(503, "unavailable",
                            "the event could not be stored; retry later"));
                });
    }

    /** Completes when Kafka acknowledged every event; one request is one event, except for Alertmanager. */
    private Future<?> written(List<Event<?>> events) {
        if (events.size() == 1) {
            return publisher.publish(events.get(0));
        }
        List<Future<?>> writes = new ArrayList<>(events.size());
        for (Event<?> event : events) {
            writes.add(publisher.publish(event));
        }
        return Future.all(writes);
    }

    /** {@code {"receiver":..,"eventIds":[..],"skipped":[..]}}, written directly: it is on every accepted request. */
    private static String accepted(Receiver receiver, List<Event<?>> events, List<String> skipped) {
        StringBuilder answer = new StringBuilder(64 + 40 * events.size())
                .append("{\"receiver\":").append(receiver.idAsJson()).append(",\"eventIds\":[");
        for (int i = 0; i < events.size(); i++) {
            // Event ids are UUIDs: nothing to escape.
            answer.append(i == 0 ? "\"" : ",\"").append(events.get(i).id()).append('"');
        }
        answer.append(']');
        if (!skipped.isEmpty()) {
            answer.append(",\"skipped\":").append(new JsonArray(skipped).encode());
        }
        return answer.append('}').toString();
    }

    /** The events to write, each with its id (see {@link EventIds}). */
    private List<Event<?>> events(Receiver receiver, HookRequest request, TriggerPlan.Events plan) {
        Optional<String> header = EventIds.deliveryHeader(request);
        URI source = receiver.source();
        List<Event<?>> events = new ArrayList<>();
        for (int i = 0; i < plan.events().size(); i++) {
            events.add(new Event<>(EventIds.of(receiver.id(), plan, i, header), source, clock.instant(),
                    plan.events().get(i).data()));
        }
        return events;
    }

    private static HookRequest request(HttpServerRequest http, MultiMap params, byte[] body) {
        Map<String, String> query = new HashMap<>();
        params.forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
        Map<String, String> headers = new HashMap<>();
        http.headers().forEach(e -> headers.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        String remote = http.remoteAddress() == null ? "" : http.remoteAddress().hostAddress();
        int port = http.remoteAddress() == null ? 0 : http.remoteAddress().port();
        return new HookRequest(query, headers, body, remote, http.query(), port);
    }

    private static long contentLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void tooLarge(HttpServerResponse response) {
        ApiError.payloadTooLarge(maxBodyBytes).send(response);
    }

    private static boolean isJson(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT).split(";")[0].trim();
        return type.equals("application/json") || type.endsWith("+json");
    }

    /**
     * The body, parsed once: trigger rules may read it before the request is known to be valid (a body that is not
     * JSON is then just absent); the planner needs it valid.
     */
    private record Body(JsonNode json, InvalidPayloadException error) {

        static Body parse(byte[] bytes) {
            if (JsonBodies.isBlank(bytes)) {
                return new Body(null, null);
            }
            try {
                return new Body(JsonBodies.readObject(bytes), null);
            } catch (InvalidPayloadException e) {
                return new Body(null, e);
            }
        }

        JsonNode orThrow() throws InvalidPayloadException {
            if (error != null) {
                throw error;
            }
            return json;
        }
    }

    private void reject(HttpServerRequest http, String outcome, long started, ApiError error) {
        count(outcome, started);
        error.send(http.response());
    }

    private static void json(HttpServerRequest http, int status, JsonObject body) {
        json(http, status, body.encode());
    }

    private static void json(HttpServerRequest http, int status, String body) {
        http.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(body);
    }

    /** {@code winch_gateway_requests_total} and {@code winch_gateway_request_seconds}, by outcome. */
    private void count(String outcome, long started) {
        Meters meters = this.meters.computeIfAbsent(outcome, o -> new Meters(
                metrics.counter("winch_gateway_requests_total", "outcome", o),
                Timer.builder("winch_gateway_request_seconds")
                        .description("from the whole request read to the answer, waiting for Kafka included")
                        .tag("outcome", o).register(metrics)));
        meters.requests().increment();
        meters.duration().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    private record Meters(Counter requests, Timer duration) {
    }
}
