package dev.winch.notifier.channel.chat;

import dev.winch.common.config.Secret;
import dev.winch.notifier.channel.http.HttpSender;
import io.vertx.core.MultiMap;
import java.util.Objects;

/**
 * Where a chat robot is: its webhook URL (a secret: it carries the robot's token), its optional signing secret,
 * and the sender that posts to it.
 */
public record ChatEndpoint(HttpSender sender, Secret url, Secret signingSecret) {

    public ChatEndpoint {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(url, "url");
    }

    static MultiMap jsonHeaders() {
        return MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json; charset=utf-8");
    }
}
