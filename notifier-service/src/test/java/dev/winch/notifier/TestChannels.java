package dev.winch.notifier;

import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.Notification;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Channels for tests: each records every attempt it was given; they differ in what they answer. */
final class TestChannels {

    private TestChannels() {
    }

    /** One attempt: what was sent and when. */
    record Attempt(Notification notification, Instant at) {
        List<String> ids() {
            return notification instanceof Notification.Single single ? List.of(single.resultId())
                    : ((Notification.Digest) notification).resultIds();
        }
    }

    /** Answers {@code Retry} for the first {@code failures} attempts (asking for {@code retryAfter}), then takes all. */
    static class Recording implements Channel {
        final String name;
        final int perMinute;
        final int failures;
        final Duration retryAfter;
        final List<Attempt> attempts = new CopyOnWriteArrayList<>();
        final List<Attempt> delivered = new CopyOnWriteArrayList<>();
        private final AtomicInteger calls = new AtomicInteger();

        Recording(String name, int perMinute, int failures, Duration retryAfter) {
            this.name = name;
            this.perMinute = perMinute;
            this.failures = failures;
            this.retryAfter = retryAfter;
        }

        Recording(String name) {
            this(name, 6_000, 0, null);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String kind() {
            return "webhook";
        }

        @Override
        public int messagesPerMinute() {
            return perMinute;
        }

        @Override
        public Future<Delivery> send(Notification notification) {
            Attempt attempt = new Attempt(notification, Instant.now());
            attempts.add(attempt);
            if (calls.incrementAndGet() <= failures) {
                return Future.succeededFuture(new Delivery.Retry("503 Service Unavailable", retryAfter));
            }
            delivered.add(attempt);
            return Future.succeededFuture(new Delivery.Delivered(200));
        }

        /** Every result id delivered, in order, one entry per delivery. */
        List<String> deliveredIds() {
            return delivered.stream().flatMap(a -> a.ids().stream()).toList();
        }
    }

    /** Never answers: every attempt runs into the attempt timeout. */
    static final class Silent extends Recording {
        Silent(String name) {
            super(name);
        }

        @Override
        public Future<Delivery> send(Notification notification) {
            attempts.add(new Attempt(notification, Instant.now()));
            return Promise.<Delivery>promise().future();
        }
    }

    /** Refuses everything (a bad token). */
    static final class Refusing extends Recording {
        Refusing(String name) {
            super(name);
        }

        @Override
        public Future<Delivery> send(Notification notification) {
            attempts.add(new Attempt(notification, Instant.now()));
            return Future.succeededFuture(new Delivery.Rejected("401 Unauthorized: token invalid"));
        }
    }
}
