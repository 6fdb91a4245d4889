package dev.winch.notifier;

import dev.winch.common.runtime.ServiceMain;
import dev.winch.notifier.channel.ChannelsFile;
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
                    return new NotifierService(runtime, config, channels.channels(), channels.defaultRoutes())
                            .start();
                }));
    }
}
