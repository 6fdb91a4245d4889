package dev.winch.notifier.channel.chat;

import dev.winch.notifier.channel.Delivery;
import io.vertx.core.Future;

/**
 * One chat robot's HTTP API: the JSON body it expects, its signature, and how to read its answer. One call is one
 * attempt; the future never fails.
 */
public interface ChatApi extends AutoCloseable {

    /** The channel kind this API serves ({@code dingtalk}, {@code slack} ...). */
    String kind();

    Future<Delivery> post(ChatMessage message);

    @Override
    void close();
}
