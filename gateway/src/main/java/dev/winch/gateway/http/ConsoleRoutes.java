package dev.winch.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.event.ActionResult;
import dev.winch.gateway.console.ServiceHealth;
import dev.winch.gateway.deadletter.DeadLetterTopics;
import dev.winch.gateway.deadletter.DeadLetters;
import dev.winch.gateway.deadletter.DeadLetters.Redriven;
import dev.winch.gateway.deadletter.RedriveRequest;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.payload.JsonBodies;
import dev.winch.gateway.status.EventStatusStore;
import dev.winch.gateway.status.EventStatusStore.EventStatus;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoints the web console needs beyond receivers (see {@code gateway/CONSOLE-API.md}): the deliveries
 * this replica accepted (listed, and streamed as server-sent events), the dead-letter topics and the redrive of
 * their records, and the services' consumer groups. Mounted on the admin router, behind its authentication.
 */
public final class ConsoleRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRoutes.class);
    static final Set<String> STATES = Set.of("accepted", "applied", "noop", "skipped", "failed", "duplicate");
    private static final int MAX_EVENTS = 500;
    private static final int MAX_LETTERS = 200;
    private static final int DEFAULT_LIMIT = 50;
    /** A comment line that keeps proxies from closing an idle stream. */
    private static final long KEEP_ALIVE_MILLIS = 15_000;

    private final EventStatusStore status;
    private final DeadLetters deadLetters;
    private final ServiceHealth health;

    public ConsoleRoutes(EventStatusStore status, DeadLetters deadLetters, ServiceHealth health) {
        this.status = status;
        this.deadLetters = deadLetters;
        this.health = health;
    }

    /** Adds the routes to the admin router; before {@code /events/:eventId}, which would take {@code stream}. */
    public void mount(Router api) {
        api.get("/events").handler(this::events);
        api.get("/events/stream").handler(this::stream);
        api.get("/deadletters").handler(this::deadLetterTopics);
        api.get("/deadletters/:topic").handler(this::deadLetterRecords);
        api.post("/deadletters/:topic/redrive").handler(this::redrive);
        api.get("/health/services").handler(this::services);
    }

    // ---- deliveries -----------------------------------------------------------------------------------------

    private void events(RoutingContext ctx) {
        List<FieldError> errors = new ArrayList<>();
        MultiMap query = ctx.queryParams();
        unknownParameters(query, errors, "receiver", "status", "target", "limit");
        int limit = limit(query, MAX_EVENTS, errors);
        String state = single(query, "status", errors);
        if (state != null && !STATES.contains(state)) {
            errors.add(new FieldError("status", "must be one of " + String.join(", ", STATES.stream().sorted()
                    .toList())));
        }
        String receiver = single(query, "receiver", errors);
        String target = single(query, "target", errors);
        if (target != null && target.split("/", -1).length != 3) {
            errors.add(new FieldError("target", "must be namespace/kind/name"));
        }
        if (!errors.isEmpty()) {
            invalidQuery(ctx, errors);
            return;
        }
        JsonArray items = new JsonArray();
        status.newest(new EventStatusStore.Filter(receiver, state, target), limit).forEach(e -> items.add(item(e)));
        json(ctx, new JsonObject().put("items", items));
    }

    /** One delivery as listed and streamed. */
    static JsonObject item(EventStatus event) {
        ActionResult newest = event.newest().orElse(null);
        return new JsonObject()
                .put("eventId", event.eventId())
                .put("type", event.type())
                .put("receiver", event.receiverId())
                .put("target", event.target())
                .put("acceptedAt", event.acceptedAt() == null ? null : event.acceptedAt().toString())
                .put("status", event.state())
                .put("reason", newest == null ? null : newest.reason())
                .put("foldedInto", foldedInto(event))
                .put("rolloutStage", newest == null ? null : newest.details().get("stage"));
    }

    /**
     * The events one write to the target was made for, when this event was folded together with others (the
     * scaler's {@code foldedEventIds}); null when it was written alone or not yet.
     */
    private static JsonArray foldedInto(EventStatus event) {
        for (int i = event.results().size() - 1; i >= 0; i--) {
            String folded = event.results().get(i).details().get("foldedEventIds");
            if (folded != null) {
                List<String> ids = Arrays.stream(folded.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .toList();
                return ids.size() > 1 ? new JsonArray(new ArrayList<>(ids)) : null;
            }
        }
        return null;
    }

    /**
     * {@code text/event-stream}: an {@code event: delivery} for each event this replica accepts and each status
     * change of one, until the client goes away.
     */
    private void stream(RoutingContext ctx) {
        if (!ctx.queryParams().isEmpty()) {
            invalidQuery(ctx, ctx.queryParams().names().stream().sorted()
                    .map(name -> new FieldError(name, "unknown parameter")).toList());
            return;
        }
        HttpServerResponse response = ctx.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        // The first bytes commit the headers, so the client knows the stream is open.
        response.write(": deliveries of this gateway replica\n\n");
        Runnable unsubscribe = status.onChange(event -> {
            if (!response.closed() && !response.ended()) {
                // A slow client is not waited for: it gets what fits, and can reload the list.
                if (!response.writeQueueFull()) {
                    response.write("event: delivery\nid: " + event.eventId() + "\ndata: " + item(event).encode()
                            + "\n\n");
                }
            }
        });
        long keepAlive = ctx.vertx().setPeriodic(KEEP_ALIVE_MILLIS, id -> {
            if (!response.closed() && !response.ended()) {
                response.write(": keep-alive\n\n");
            }
        });
        Runnable cleanUp = () -> {
            unsubscribe.run();
            ctx.vertx().cancelTimer(keepAlive);
        };
        response.closeHandler(v -> cleanUp.run());
        response.endHandler(v -> cleanUp.run());
        if (response.closed()) {
            // Gone before the handlers were set: they will not be called.
            cleanUp.run();
        }
    }

    // ---- dead letters ---------------------------------------------------------------------------------------

    private void deadLetterTopics(RoutingContext ctx) {
        if (!ctx.queryParams().isEmpty()) {
            invalidQuery(ctx, ctx.queryParams().names().stream().sorted()
                    .map(name -> new FieldError(name, "unknown parameter")).toList());
            return;
        }
        deadLetters.topics().onComplete(ar -> {
            if (ar.failed()) {
                unavailable(ctx, ar.cause());
                return;
            }
            JsonArray items = new JsonArray();
            ar.result().forEach(t -> items.add(new JsonObject().put("topic", t.topic()).put("records", t.records())));
            json(ctx, new JsonObject().put("items", items));
        });
    }

    private void deadLetterRecords(RoutingContext ctx) {
        String topic = ctx.pathParam("topic");
        if (!DeadLetterTopics.isDeadLetterTopic(topic)) {
            notDeadLetterTopic(ctx, topic);
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        unknownParameters(ctx.queryParams(), errors, "limit");
        int limit = limit(ctx.queryParams(), MAX_LETTERS, errors);
        if (!errors.isEmpty()) {
            invalidQuery(ctx, errors);
            return;
        }
        deadLetters.newest(topic, limit).onComplete(ar -> {
            if (ar.failed()) {
                unavailable(ctx, ar.cause());
            } else if (ar.result().isEmpty()) {
                noSuchTopic(ctx, topic);
            } else {
                JsonArray items = new JsonArray();
                ar.result().get().forEach(letter -> {
                    JsonObject item = new JsonObject()
                            .put("partition", letter.partition())
                            .put("offset", letter.offset())
                            .put("timestamp", letter.timestamp().toString())
                            .put("key", letter.key())
                            .put("headers", new JsonObject(new java.util.LinkedHashMap<>(letter.headers())))
                            .put("eventId", letter.eventId())
                            .put("type", letter.type())
                            .put("value", letter.value());
                    if (letter.valueTruncated()) {
                        item.put("valueTruncated", true);
                    }
                    items.add(item);
                });
                json(ctx, new JsonObject().put("topic", topic).put("items", items));
            }
        });
    }

    private void redrive(RoutingContext ctx) {
        String topic = ctx.pathParam("topic");
        if (!DeadLetterTopics.isDeadLetterTopic(topic)) {
            notDeadLetterTopic(ctx, topic);
            return;
        }
        RedriveRequest request;
        try {
            if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
                throw new InvalidPayloadException("a redrive request is required",
                        List.of(new FieldError("$", "the body is empty")));
            }
            JsonNode body = JsonBodies.readObject(ctx.body().buffer().getBytes());
            request = RedriveRequest.parse(body);
        } catch (InvalidPayloadException e) {
            new ApiError(400, "invalid_request", e.getMessage(), e.errors()).send(ctx);
            return;
        }
        deadLetters.redrive(topic, request).onComplete(ar -> {
            if (ar.failed() && ar.cause() instanceof DeadLetters.NoSuchPartition e) {
                new ApiError(400, "invalid_request", "the redrive request is not valid",
                        List.of(new FieldError("partition", e.getMessage()))).send(ctx);
            } else if (ar.failed()) {
                unavailable(ctx, ar.cause());
            } else if (ar.result().isEmpty()) {
                noSuchTopic(ctx, topic);
            } else {
                JsonArray redriven = new JsonArray();
                JsonArray refused = new JsonArray();
                for (Redriven outcome : ar.result().get()) {
                    if (outcome instanceof Redriven.Published p) {
                        redriven.add(new JsonObject().put("partition", p.partition()).put("offset", p.offset())
                                .put("topic", p.topic()));
                    } else if (outcome instanceof Redriven.Refused r) {
                        refused.add(new JsonObject().put("partition", r.partition()).put("offset", r.offset())
                                .put("reason", r.reason()));
                    }
                }
                LOG.atInfo().addKeyValue("topic", topic).log("Redrive of {}/{} to {}: {} redriven, {} refused",
                        request.partition(), request.fromOffset(), request.toOffset(), redriven.size(),
                        refused.size());
                json(ctx, new JsonObject().put("redriven", redriven).put("refused", refused));
            }
        });
    }

    // ---- health ---------------------------------------------------------------------------------------------

    private void services(RoutingContext ctx) {
        health.check().onComplete(ar -> {
            if (ar.failed()) {
                unavailable(ctx, ar.cause());
                return;
            }
            JsonArray services = new JsonArray();
            ar.result().services().forEach(g -> services.add(new JsonObject()
                    .put("group", g.group())
                    .put("topics", new JsonArray(new ArrayList<>(g.topics())))
                    .put("members", g.members())
                    .put("lag", g.lag())
                    .put("state", g.state())));
            JsonArray dead = new JsonArray();
            ar.result().deadLetters().forEach(t -> dead.add(new JsonObject().put("topic", t.topic())
                    .put("records", t.records())));
            json(ctx, new JsonObject().put("services", services).put("deadLetters", dead));
        });
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static void unknownParameters(MultiMap query, List<FieldError> errors, String... known) {
        Set<String> allowed = Set.of(known);
        query.names().stream().sorted().filter(name -> !allowed.contains(name))
                .forEach(name -> errors.add(new FieldError(name, "unknown parameter; known: "
                        + String.join(", ", known))));
    }

    /** The one value of a parameter; null when absent, and an error when given twice or empty. */
    private static String single(MultiMap query, String name, List<FieldError> errors) {
        List<String> values = query.getAll(name);
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            errors.add(new FieldError(name, "give it once"));
            return null;
        }
        if (values.get(0).isBlank()) {
            errors.add(new FieldError(name, "must not be empty"));
            return null;
        }
        return values.get(0);
    }

    private static int limit(MultiMap query, int max, List<FieldError> errors) {
        String value = single(query, "limit", errors);
        if (value == null) {
            return Math.min(DEFAULT_LIMIT, max);
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(new FieldError("limit", "must be a whole number from 1 to " + max));
        return 0;
    }

    private static void invalidQuery(RoutingContext ctx, List<FieldError> errors) {
        new ApiError(400, "invalid_request", "the query is not valid", errors).send(ctx);
    }

    private static void notDeadLetterTopic(RoutingContext ctx, String topic) {
        new ApiError(404, "not_found", "'" + topic + "' is not a dead-letter topic (<topic>.dlq)").send(ctx);
    }

    private static void noSuchTopic(RoutingContext ctx, String topic) {
        new ApiError(404, "not_found", "no topic '" + topic + "'").send(ctx);
    }

    private static void unavailable(RoutingContext ctx, Throwable cause) {
        LOG.warn("Kafka could not be asked for the console: {}", cause.toString());
        ctx.response().putHeader("Retry-After", "5");
        new ApiError(503, "unavailable", "Kafka cannot be asked right now; retry later").send(ctx);
    }

    private static void json(RoutingContext ctx, JsonObject body) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
