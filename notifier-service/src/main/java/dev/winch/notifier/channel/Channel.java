package dev.winch.notifier.channel;

import io.vertx.core.Future;

/**
 * A named destination people read: a mail server and its recipients, a chat robot, a webhook. Built from the
 * channels file; turns a {@link Notification} into what its API expects (template, escaping, signing) and tells
 * the delivery side how the attempt went. Retries, rate limits, digests and dead letters are not its business:
 * one call is one attempt.
 */
public interface Channel {

    /** The channel's name in the channels file, unique; half of the idempotency key (result id + channel). */
    String name();

    /** Its kind: {@code smtp}, {@code dingtalk}, {@code wecom}, {@code slack}, {@code feishu}, {@code teams},
     *  {@code bearychat} or {@code webhook}. */
    String kind();

    /** How many messages a minute its API takes (the channel's setting, else the kind's default). */
    int messagesPerMinute();

    /**
     * One attempt to deliver {@code notification}. Completes with the attempt's {@link Delivery}; never fails the
     * future for an answer of the remote end (a refused or failed attempt is a {@link Delivery} too). The future
     * completes on the caller's context.
     */
    Future<Delivery> send(Notification notification);
}
