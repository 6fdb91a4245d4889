package dev.winch.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.config.Secret;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.EventCodec;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.JsonBodies;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.receiver.ChannelNames;
import dev.winch.gateway.receiver.ReceiverRegistry;
import dev.winch.gateway.receiver.ReceiverSpec;
import dev.winch.gateway.receiver.ReceiverStore;
import dev.winch.gateway.receiver.ReceiverValidator;
import dev.winch.gateway.status.AcceptedEventSearch;
import dev.winch.gateway.status.EventStatusStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The admin API under {@code /api/v1}: receivers (create, list, get, update, delete) and the delivery status of
 * events. Protected by the bearer token of {@code WINCH_ADMIN_TOKEN}; without one, it answers only requests from
 * the loopback interface. JSON in, JSON out, JSON errors.
 */
public final class AdminRoutes {

    private static final ObjectMapper JSON = EventCodec.mapper();

    private final ReceiverRegistry registry;
    private final ChannelNames channels;
    private final ReceiverStore store;
    private final EventStatusStore status;
    private final AcceptedEventSearch search;
    private final Optional<Secret> adminToken;
    private final Optional<String> publicUrl;
    private final Clock clock;
    private final ConsoleRoutes console;

    public AdminRoutes(ReceiverRegistry registry, ReceiverStore store, EventStatusStore status,
            AcceptedEventSearch search, ChannelNames channels, Optional<Secret> adminToken,
            Optional<String> publicUrl, Clock clock, ConsoleRoutes console) {
        this.registry = registry;
        this.channels = channels;
        this.store = store;
        this.status = status;
        this.search = search;
        this.adminToken = adminToken;
        this.publicUrl = publicUrl;
        this.clock = clock;
        this.console = console;
    }

    public void mount(Vertx vertx, Router router, int maxBodyBytes) {
        Router api = Router.router(vertx);
        api.route().handler(this::authorize);
        api.route().handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
        api.post("/receivers").handler(this::create);
        api.get("/receivers").handler(this::list);
        api.get("/receivers/:id").handler(this::get);
        api.put("/receivers/:id").handler(this::update);
        api.delete("/receivers/:id").handler(this::delete);
        console.mount(api);
        api.get("/events/:eventId").handler(this::event);
        router.route("/api/v1/*").subRouter(api);
    }

    private void authorize(RoutingContext ctx) {
        if (adminToken.isPresent()) {
            String header = ctx.request().getHeader("Authorization");
            String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? header.substring(7).trim() : null;
            if (!adminToken.get().matches(presented)) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer");
                new ApiError(401, "unauthorized", "the admin API needs a valid bearer token").send(ctx);
                return;
            }
        } else if (!isLoopback(ctx)) {
            new ApiError(403, "forbidden", "the admin API answers only on loopback until WINCH_ADMIN_TOKEN is set")
                    .send(ctx);
            return;
        }
        ctx.next();
    }

    private void create(RoutingContext ctx) {
        JsonNode input;
        ReceiverValidator.Validated validated;
        try {
            input = body(ctx);
            validated = ReceiverValidator.validate(input, null, null, "api", clock.instant());
            channels.check(validated.spec(), "");
        } catch (InvalidPayloadException e) {
            new ApiError(400, "invalid_receiver", e.getMessage(), e.errors()).send(ctx);
            return;
        }
        if (registry.find(validated.spec().id()).isPresent()) {
            new ApiError(409, "conflict", "a receiver with id '" + validated.spec().id() + "' exists").send(ctx);
            return;
        }
        store.save(validated.spec())
                .onSuccess(spec -> json(ctx, 201, view(spec, validated.token(), ctx)))
                .onFailure(error -> unavailable(ctx));
    }

    /** The receiver the path names, if the API may change it; otherwise the 404 or 409 has been sent. */
    private Optional<ReceiverSpec> changeable(RoutingContext ctx, String id) {
        Optional<ReceiverSpec> existing = registry.find(id).map(r -> r.spec());
        if (existing.isEmpty()) {
            new ApiError(404, "not_found", "no receiver '" + id + "'").send(ctx);
        } else if ("file".equals(existing.get().origin())) {
            new ApiError(409, "conflict", "receiver '" + id + "' is declared in the receivers file; change it there")
                    .send(ctx);
            return Optional.empty();
        }
        return existing;
    }

    private void update(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Optional<ReceiverSpec> existing = changeable(ctx, id);
        if (existing.isEmpty()) {
            return;
        }
        ReceiverValidator.Validated validated;
        try {
            validated = ReceiverValidator.validate(body(ctx), id, existing.get(), "api", clock.instant());
            channels.check(validated.spec(), "");
        } catch (InvalidPayloadException e) {
            new ApiError(400, "invalid_receiver", e.getMessage(), e.errors()).send(ctx);
            return;
        }
        store.save(validated.spec())
                .onSuccess(spec -> json(ctx, 200, view(spec, validated.token(), ctx)))
                .onFailure(error -> unavailable(ctx));
    }

    private void delete(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (changeable(ctx, id).isEmpty()) {
            return;
        }
        store.delete(id)
                .onSuccess(v -> ctx.response().setStatusCode(204).end())
                .onFailure(error -> unavailable(ctx));
    }

    private void list(RoutingContext ctx) {
        JsonArray items = new JsonArray();
        registry.all().forEach(spec -> items.add(withLastDelivery(view(spec, Optional.empty(), ctx), spec.id())));
        json(ctx, 200, new JsonObject().put("items", items));
    }

    private void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        registry.find(id).ifPresentOrElse(
                r -> json(ctx, 200, withLastDelivery(view(r.spec(), Optional.empty(), ctx), id)),
                () -> new ApiError(404, "not_found", "no receiver '" + id + "'").send(ctx));
    }

    /** Adds the newest event this replica accepted for the receiver, while it keeps it. */
    private JsonObject withLastDelivery(JsonObject receiver, String id) {
        status.lastDelivery(id).ifPresent(last -> receiver.put("lastDelivery", new JsonObject()
                .put("eventId", last.eventId())
                .put("at", last.acceptedAt() == null ? null : last.acceptedAt().toString())
                .put("status", last.state())));
        return receiver;
    }

    /**
     * What became of an event: from this replica's memory, else from the newest records of the command topics (an
     * event another replica accepted, or one accepted before this replica started).
     */
    private void event(RoutingContext ctx) {
        String id = ctx.pathParam("eventId");
        Optional<EventStatusStore.EventStatus> known = status.find(id);
        if (known.isPresent()) {
            event(ctx, known.get());
            return;
        }
        if (!isUuid(id)) {
            // Every event id the gateway gives out is a UUID: nothing to search the topics for.
            notKept(ctx, id);
            return;
        }
        search.find(id).onComplete(ar -> {
            if (ar.failed()) {
                ctx.response().putHeader("Retry-After", "5");
                new ApiError(503, "unavailable", "the command topics could not be searched; retry later").send(ctx);
            } else if (ar.result().isPresent()) {
                event(ctx, status.remember(ar.result().get()));
            } else {
                // Results may have arrived while searching.
                status.find(id).ifPresentOrElse(event -> event(ctx, event), () -> notKept(ctx, id));
            }
        });
    }

    private static void notKept(RoutingContext ctx, String id) {
        new ApiError(404, "not_found", "no event '" + id + "' among the events this gateway keeps").send(ctx);
    }

    private static boolean isUuid(String id) {
        try {
            return UUID.fromString(id).toString().equals(id.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void event(RoutingContext ctx, EventStatusStore.EventStatus event) {
        JsonArray results = new JsonArray();
        for (ActionResult result : event.results()) {
            results.add(new JsonObject(JSON.convertValue(result, java.util.Map.class)));
        }
        JsonObject view = new JsonObject()
                .put("eventId", event.eventId())
                .put("type", event.type())
                .put("receiver", event.receiverId())
                .put("target", event.target())
                .put("acceptedAt", event.acceptedAt() == null ? null : event.acceptedAt().toString())
                .put("status", event.state())
                .put("results", results);
        if (event.request() != null) {
            EventStatusStore.RequestInfo request = event.request();
            view.put("request", new JsonObject()
                    .put("remoteAddress", request.remoteAddress())
                    .put("userAgent", request.userAgent())
                    .put("contentType", request.contentType())
                    .put("contentLength", request.contentLength())
                    .put("authMethod", request.authMethod()));
        }
        json(ctx, 200, view);
    }

    /** A receiver as shown: no token, no secret; the token in clear only right after it was set. */
    private JsonObject view(ReceiverSpec spec, Optional<String> token, RoutingContext ctx) {
        JsonObject json = new JsonObject(JSON.convertValue(spec, java.util.Map.class));
        JsonObject auth = new JsonObject();
        if (spec.auth() != null) {
            auth.put("token", spec.auth().tokenSha256() != null);
            auth.put("hmac", spec.auth().hmacSecret() != null);
            auth.put("allowedCidrs", new JsonArray(spec.auth().allowedCidrs()));
            auth.put("triggerRule", spec.auth().triggerRule() != null);
        }
        json.put("auth", auth);
        String url = baseUrl(ctx) + "/hooks/" + spec.id();
        json.put("triggerUrl", url);
        token.ifPresent(t -> {
            json.put("token", t);
            json.put("triggerUrlWithToken", url + "?token=" + t);
        });
        return json;
    }

    private String baseUrl(RoutingContext ctx) {
        return publicUrl.orElseGet(() -> ctx.request().scheme() + "://" + ctx.request().authority());
    }

    private static JsonNode body(RoutingContext ctx) throws InvalidPayloadException {
        // No body at all leaves buffer() null and length() -1, not 0.
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
            throw new InvalidPayloadException("a receiver is required", List.of(new FieldError("$", "the body is empty")));
        }
        return JsonBodies.readObject(ctx.body().buffer().getBytes());
    }

    static boolean isLoopback(RoutingContext ctx) {
        String address = ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
        return address.startsWith("127.") || address.equals("0:0:0:0:0:0:0:1") || address.equals("::1");
    }

    private static void unavailable(RoutingContext ctx) {
        ctx.response().putHeader("Retry-After", "5");
        new ApiError(503, "unavailable", "the change could not be stored; retry later").send(ctx);
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
