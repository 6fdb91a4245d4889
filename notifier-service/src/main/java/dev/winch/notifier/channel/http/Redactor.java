package dev.winch.notifier.channel.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Removes secrets from text that leaves a channel (a retry reason, a rejected answer): the webhook URL and its
 * parts, which carry the robot's token, and every secret of the channel. An HTTP client's error often quotes the
 * request URI.
 */
public final class Redactor {

    static final String MASK = "******";

    private final List<String> sensitive;

    private Redactor(List<String> sensitive) {
        this.sensitive = sensitive;
    }

    public static Redactor of(URI url, List<String> secrets) {
        List<String> values = new ArrayList<>();
        if (url != null) {
            values.add(url.toString());
            if (url.getRawQuery() != null) {
                add(values, url.getRawPath() + "?" + url.getRawQuery());
            }
            add(values, url.getRawQuery());
            add(values, url.getQuery());
            // Slack's and Teams' URLs carry the token in the path; a bare "/" says nothing.
            if (url.getRawPath() != null && url.getRawPath().length() > 1) {
                add(values, url.getRawPath());
            }
        }
        for (String secret : secrets) {
            add(values, secret);
        }
        values.sort(Comparator.comparingInt(String::length).reversed());
        return new Redactor(List.copyOf(values));
    }

    private static void add(List<String> values, String value) {
        if (value != null && !value.isEmpty()) {
            values.add(value);
        }
    }

    public String redact(String text) {
        if (text == null) {
            return "";
        }
        String result = text;
        for (String value : sensitive) {
            result = result.replace(value, MASK);
        }
        return result;
    }
}
