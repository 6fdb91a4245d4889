package dev.winch.notifier;

import dev.winch.common.runtime.ServiceMain;

/** Starts the notifier process. */
public final class NotifierMain {

    private NotifierMain() {
    }

    public static void main(String[] args) {
        ServiceMain.run(System.getenv(), NotifierConfig::fromEnv,
                (runtime, config) -> new NotifierService(runtime).start());
    }
}
