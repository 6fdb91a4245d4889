package dev.winch.notifier;

import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.config.ServiceConfig;
import dev.winch.common.runtime.ServiceMain;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.kubernetes.KubernetesClients;
import dev.winch.notifier.channel.ChannelsFile;
import dev.winch.notifier.events.sink.EventSinks;
import dev.winch.notifier.events.sink.SinkFlags;
import dev.winch.notifier.events.watch.EventsWatchConfig;
import dev.winch.notifier.events.watch.EventsWatcher;
import io.vertx.core.Future;
import java.util.Map;

/** Starts the notifier process. */
public final class NotifierMain {

    private NotifierMain() {
    }

    /** The notifier's settings and the Kubernetes event watcher's, read and validated together. */
    record Settings(NotifierConfig notifier, EventsWatchConfig events) implements ServiceConfig {

        static Settings fromEnv(Map<String, String> variables) {
            return new Settings(NotifierConfig.fromEnv(variables), EventsWatchConfig.fromEnv(variables));
        }

        @Override
        public RuntimeConfig runtime() {
            return notifier.runtime();
        }
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), Settings::fromEnv, (runtime, settings) -> startNotifier(runtime,
                settings.notifier())
                .compose(v -> startEventsWatch(runtime, settings.events(), KubernetesClients::fromEnvironment)));
    }

    private static Future<Void> startNotifier(ServiceRuntime runtime, NotifierConfig config) {
        return runtime.blocking()
                // The channels file (WINCH_NOTIFIER_CHANNELS_FILE) is read off the event loop; without one, no
                // channel is configured and results are only logged.
                .call(() -> config.channelsFile()
                        .map(file -> ChannelsFile.load(file, System.getenv(), runtime.vertx()))
                        .orElseGet(ChannelsFile::empty))
                .compose(channels -> {
                    runtime.onClose(() -> {
                        channels.close();
                        return Future.succeededFuture();
                    });
                    // Kubernetes event sinks: the variable's flags, then the channels file's eventSinks
                    NotifierConfig withFileSinks = config.withEvents(config.events().plus(SinkFlags.parse(
                            channels.eventSinks(), "channels file eventSinks", config.events().sinks().size() + 1)));
                    return eventSinks(runtime, withFileSinks).compose(sinks -> new NotifierService(runtime,
                            withFileSinks, channels.channels(), channels.defaultRoutes(), sinks).start());
                })
                .mapEmpty();
    }

    /**
     * The Kubernetes event sinks (WINCH_NOTIFIER_EVENT_SINKS). When a sink's body template lives in a ConfigMap, the
     * Kubernetes client is built and the ConfigMap watched off the event loop; both are closed on shutdown.
     */
    static Future<EventSinks> eventSinks(ServiceRuntime runtime, NotifierConfig config) {
        EventSinks sinks = EventSinks.create(runtime.vertx(), config.events(), runtime.clock());
        runtime.onClose(() -> {
            sinks.close();
            return Future.succeededFuture();
        });
        if (!sinks.needsKubernetes()) {
            return Future.succeededFuture(sinks);
        }
        return runtime.blocking().call(() -> {
            var client = KubernetesClients.fromEnvironment(config.events().kubernetes());
            runtime.onClose(() -> {
                client.close();
                return Future.succeededFuture();
            });
            sinks.watchTemplates(client);
            return sinks;
        });
    }

    /**
     * The Kubernetes event watcher, only when {@code WINCH_NOTIFIER_EVENTS_WATCH=true}: only then is a Kubernetes
     * client built (off the event loop), so the notifier runs without a cluster otherwise.
     */
    static Future<Void> startEventsWatch(ServiceRuntime runtime, EventsWatchConfig events,
            KubernetesClients.Factory clients) {
        if (!events.enabled()) {
            return Future.succeededFuture();
        }
        return runtime.blocking().call(() -> clients.create(events.kubernetes()))
                .compose(client -> {
                    EventsWatcher watcher = EventsWatcher.on(runtime, client, events);
                    runtime.onClose(() -> runtime.blocking().run(client::close));
                    runtime.onClose(watcher::stop);
                    return watcher.start();
                });
    }
}
