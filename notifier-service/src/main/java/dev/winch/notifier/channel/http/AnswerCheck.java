package dev.winch.notifier.channel.http;

import dev.winch.notifier.channel.Delivery;

/**
 * What a 2xx answer means for APIs that answer 200 on failure (DingTalk's and WeCom's {@code errcode}, Feishu's
 * {@code code}, Slack's {@code ok}). Only called for a 2xx.
 */
@FunctionalInterface
public interface AnswerCheck {

    AnswerCheck STATUS_ONLY = answer -> new Delivery.Delivered(answer.status());

    Delivery check(HttpAnswer answer);
}
