package dev.winch.notifier;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.Topics;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.delivery.NotificationSource;
import dev.winch.notifier.route.RouteTable;
import java.util.List;
import java.util.Optional;

/**
 * Action results as notifications: a result goes to the channels its receiver's routes and the default routes
 * name for its outcome; its message links to {@code GET /api/v1/events/{id}} of the event it is the result of,
 * when the gateway's public URL is known.
 */
final class ResultNotifications implements NotificationSource {

    private final RouteTable routes;
    private final Optional<String> publicUrl;

    ResultNotifications(RouteTable routes, Optional<String> publicUrl) {
        this.routes = routes;
        this.publicUrl = publicUrl;
    }

    @Override
    public String topic() {
        return Topics.RESULTS;
    }

    @Override
    public boolean selects(Event<?> event, String channel) {
        return event.data() instanceof ActionResult result && routes.routes(result, channel);
    }

    @Override
    public Notification single(Event<?> event) {
        ActionResult result = event.dataAs(ActionResult.class);
        return new Notification.Single(event.id(), result, eventUrl(result));
    }

    @Override
    public Notification digest(List<Event<?>> events, String window) {
        return new Notification.Digest(events.stream().map(Event::id).toList(),
                events.stream().map(e -> e.dataAs(ActionResult.class)).toList(), window);
    }

    String eventUrl(ActionResult result) {
        return publicUrl.map(base -> base + "/api/v1/events/" + result.causeId()).orElse(null);
    }
}
