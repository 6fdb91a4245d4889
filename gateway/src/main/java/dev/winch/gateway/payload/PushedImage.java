package dev.winch.gateway.payload;

/**
 * What every registry adapter reads out of its payload: one pushed image.
 *
 * @param repository the repository as a pull reference without tag, e.g. {@code hongxiaolu/iperf3}
 * @param digest     {@code sha256:...} when the registry sent one, else null
 * @param pusher     who pushed, when known
 * @param format     the adapter that read it
 * @param deliveryId an id the registry gives this delivery, so a retried delivery maps to the same event id;
 *                   null when the payload has none
 */
public record PushedImage(String repository, String tag, String digest, String pusher, String format,
        String deliveryId) {
}
