package dev.winch.notifier.delivery;

import dev.winch.common.kafka.EventConsumer;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.notifier.channel.Channel;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers what a {@link NotificationSource} reads to every channel, each channel on its own: its own consumer group
 * ({@code <WINCH_CONSUMER_GROUP>-<channel>}, so its own committed offsets), its own bounded queue (the consumer's
 * in-flight limit, {@code WINCH_CONSUMER_MAX_IN_FLIGHT}), its own rate limit and retries. A channel that is slow
 * or down holds back its own group only; the others read on.
 *
 * <p>Meters: {@code winch_notifications_total{channel,outcome}} (delivered, dead_lettered, duplicate),
 * {@code winch_notification_delivery_latency_seconds{channel}}, {@code winch_notification_queue_depth{channel}},
 * {@code winch_notification_retries_total{channel}}, {@code winch_notification_digests_total{channel}}.
 */
public final class DeliveryEngine {

    private final ServiceRuntime runtime;
    private final DeliveredLog log;
    private final DeliverySettings settings;
    private final List<ChannelWorker> workers = new ArrayList<>();
    private final Map<String, EventConsumer> consumers = new ConcurrentHashMap<>();

    public DeliveryEngine(ServiceRuntime runtime, DeliveredLog log, DeliverySettings settings) {
        this.runtime = runtime;
        this.log = log;
        this.settings = settings;
    }

    /** The group a channel's consumer of {@code source} is in. */
    public static String group(String serviceGroup, String channel, String groupSuffix) {
        return serviceGroup + "-" + channel + groupSuffix;
    }

    /**
     * Starts one consumer per channel on the source's topic.
     *
     * @param groupSuffix appended to each channel's group, so a second source of the same channels keeps positions
     *                    of its own ("" for the first)
     */
    public Future<Void> start(List<Channel> channels, NotificationSource source, String groupSuffix) {
        List<Future<EventConsumer>> started = new ArrayList<>();
        for (Channel channel : channels) {
            String group = group(runtime.config().consumerGroup(), channel.name(), groupSuffix);
            ChannelWorker worker = new ChannelWorker(runtime.vertx(), channel, source, log, runtime.publisher(),
                    runtime.codec(), settings, runtime.clock(), group, runtime.registry());
            workers.add(worker);
            started.add(runtime.consumeBatches(group, List.of(source.topic()), settings.maxBatch(), worker::handle)
                    .onSuccess(consumer -> {
                        consumers.put(group, consumer);
                        worker.started(consumer);
                        Gauge.builder("winch_notification_queue_depth", consumer, EventConsumer::inFlight)
                                .description("results read for the channel and not yet delivered or dead-lettered")
                                .tag("channel", channel.name()).register(runtime.registry());
                    }));
        }
        return Future.all(started).mapEmpty();
    }

    /**
     * Lets no worker start another attempt or wait; unfinished work is redelivered after a restart. Call it after
     * the consumers were told to stop (see {@link ChannelWorker#stop()}).
     */
    public void stop() {
        workers.forEach(ChannelWorker::stop);
    }

    /** Whether every channel's consumer has been given partitions (tests wait for it before timing). */
    public boolean assigned() {
        return consumers.size() == workers.size() && consumers.values().stream().allMatch(EventConsumer::hasAssignment);
    }
}
