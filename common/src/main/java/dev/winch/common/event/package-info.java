/**
 * The event contract every Winch service speaks.
 *
 * <p>Every message on a Winch topic is a CloudEvent 1.0 in Kafka binary mode: the attributes travel as
 * {@code ce_*} headers, the data is JSON of exactly one record type per CloudEvent {@code type}
 * ({@link dev.winch.common.event.EventType}). The record key is what must be processed in order
 * ({@link dev.winch.common.event.WinchEvent#partitionKey()}); the CloudEvent {@code id} is the idempotency key
 * from the webhook to the Kubernetes object it changed.
 *
 * <p>Commands are self-contained: the gateway resolves the receiver and copies its whole action configuration
 * into the event, so a worker never looks a receiver up and a replay does what the receiver said at the time.
 * Readers ignore fields they do not know, so a producer may add fields without breaking older consumers.
 */
package dev.winch.common.event;
