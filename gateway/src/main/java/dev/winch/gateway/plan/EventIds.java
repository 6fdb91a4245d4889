package dev.winch.gateway.plan;

import dev.winch.gateway.payload.HookRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The CloudEvent id of each planned event: the idempotency key downstream. A retried delivery must map to the same
 * id, so the id is derived from a delivery id where the sender gives one: the payload's own (an alert's
 * {@code groupKey|fingerprint|status|startsAt}, a registry event id, Harbor's {@code type|occur_at|digest|tag}),
 * else a delivery header. Without either it is fresh. The receiver id is part of the name, so two receivers fed by
 * one delivery write two events.
 */
public final class EventIds {

    /** Headers a sender uses to name one delivery; a retried delivery carries the same value. */
    private static final List<String> DELIVERY_ID_HEADERS = List.of("x-request-id", "x-github-delivery",
            "x-delivery-id", "x-harbor-event-id");

    private EventIds() {
    }

    /** The delivery id the request's headers give, read once per request. */
    public static Optional<String> deliveryHeader(HookRequest request) {
        return request.firstHeader(DELIVERY_ID_HEADERS);
    }

    /**
     * The id of the {@code index}-th event of {@code plan}. A header names the whole delivery: when the delivery
     * makes several events, each gets the header plus its own partition key.
     */
    public static String of(String receiverId, TriggerPlan.Events plan, int index, Optional<String> deliveryHeader) {
        TriggerPlan.Planned planned = plan.events().get(index);
        String delivery = planned.deliveryId();
        if (delivery == null && deliveryHeader.isPresent()) {
            delivery = plan.events().size() == 1 ? deliveryHeader.get()
                    : deliveryHeader.get() + "#" + planned.data().partitionKey();
        }
        return delivery == null ? UUID.randomUUID().toString()
                : UUID.nameUUIDFromBytes((receiverId + "\n" + delivery).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
