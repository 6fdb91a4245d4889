package dev.winch.notifier.channel.chat;

import java.util.Objects;

/**
 * A message for a chat robot, already rendered in the kind's format: a title (DingTalk's preview, a card's header)
 * and the text. Anything can be sent this way (a result, a Kubernetes event), not only an action result.
 */
public record ChatMessage(String title, String text) {

    public ChatMessage {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(text, "text");
    }
}
