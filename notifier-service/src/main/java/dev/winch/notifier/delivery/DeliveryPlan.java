package dev.winch.notifier.delivery;

import java.util.ArrayList;
import java.util.List;

/**
 * How the pending items of a batch become messages, given the permits the channel's rate limit gives now: one
 * message per item while the permits last; when there are fewer permits than items, every item past the last
 * permit but one is folded with it into one digest, so a burst costs one message instead of waiting (or being
 * dropped) until the rate allows them all. No I/O.
 */
public final class DeliveryPlan {

    /** A run of pending items sent as one message: {@code from} inclusive, {@code to} exclusive. */
    public record Message(int from, int to) {
        public boolean digest() {
            return to - from > 1;
        }
    }

    private DeliveryPlan() {
    }

    /**
     * @param items   pending items, at least 1
     * @param permits messages the rate allows now, at least 1
     */
    public static List<Message> fold(int items, int permits) {
        if (items < 1 || permits < 1) {
            throw new IllegalArgumentException("need at least one item and one permit");
        }
        List<Message> messages = new ArrayList<>();
        int singles = permits >= items ? items : permits - 1;
        for (int i = 0; i < singles; i++) {
            messages.add(new Message(i, i + 1));
        }
        if (singles < items) {
            messages.add(new Message(singles, items));
        }
        return messages;
    }
}
