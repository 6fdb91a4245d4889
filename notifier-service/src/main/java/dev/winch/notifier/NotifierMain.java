package dev.winch.notifier;

import dev.winch.common.runtime.ServiceMain;
import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.Route;
import java.util.List;

/** Starts the notifier process. */
public final class NotifierMain {

    private NotifierMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), NotifierConfig::fromEnv, (runtime, config) -> {
            // ---- CHANNELS LOADER: the one place the channels file is read. ----------------------------------
            // Replace the two lists with the loader when it is merged:
            //   ChannelsFile file = ChannelsFile.load(path, System.getenv(), runtime.vertx());
            //   channels = file.channels(); defaultRoutes = file.defaultRoutes();
            // (on the worker pool, runtime.blocking().call(...), as it reads files.) Until then no channel is
            // configured and results are only logged, whatever WINCH_NOTIFIER_CHANNELS_FILE names.
            List<Channel> channels = List.of();
            List<Route> defaultRoutes = List.of();
            // ---------------------------------------------------------------------------------------------------
            return new NotifierService(runtime, config, channels, defaultRoutes).start();
        });
    }
}
