package dev.winch.notifier;

import dev.winch.common.runtime.ServiceMain;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.kubernetes.KubernetesClients;
import dev.winch.notifier.channel.ChannelsFile;
import dev.winch.notifier.events.sink.EventSinks;
import dev.winch.notifier.events.sink.SinkFlags;
import io.vertx.core.Future;

/** Starts the notifier process. */
public final class NotifierMain {

    private NotifierMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), NotifierConfig::fromEnv, (runtime, config) -> runtime.blocking()
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
                }));
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
}
