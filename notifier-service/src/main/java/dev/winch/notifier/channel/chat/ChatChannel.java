package dev.winch.notifier.channel.chat;

import dev.winch.notifier.channel.CallerContext;
import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.channel.template.MessageModel;
import dev.winch.notifier.channel.template.MessageTemplate;
import io.vertx.core.Future;
import java.util.Map;

/** A chat channel: the action-result templates in front of one robot's {@link ChatApi}. */
public final class ChatChannel implements Channel, AutoCloseable {

    private final String name;
    private final ChatApi api;
    private final int messagesPerMinute;
    private final MessageTemplate title;
    private final MessageTemplate text;

    public ChatChannel(String name, ChatApi api, int messagesPerMinute, MessageTemplate title, MessageTemplate text) {
        this.name = name;
        this.api = api;
        this.messagesPerMinute = messagesPerMinute;
        this.title = title;
        this.text = text;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return api.kind();
    }

    @Override
    public int messagesPerMinute() {
        return messagesPerMinute;
    }

    /**
     * The robot behind this channel, to send messages that are not action results (Kubernetes events) through
     * the same API, signature and answer check.
     */
    public ChatApi api() {
        return api;
    }

    /** The message this channel would send for {@code notification}. */
    public ChatMessage render(Notification notification) {
        Map<String, Object> model = MessageModel.of(notification);
        return new ChatMessage(title.render(model), text.render(model));
    }

    @Override
    public Future<Delivery> send(Notification notification) {
        ChatMessage message;
        try {
            message = render(notification);
        } catch (RuntimeException e) {
            return Future.succeededFuture(new Delivery.Rejected("template of channel " + name + " failed: "
                    + e.getMessage()));
        }
        return CallerContext.keep(api.post(message).recover(error -> Future.succeededFuture(
                new Delivery.Retry("send failed: " + error.getClass().getSimpleName(), null))));
    }

    @Override
    public void close() {
        api.close();
    }

    @Override
    public String toString() {
        return "ChatChannel[" + name + ", " + api.kind() + "]";
    }
}
