package dev.winch.notifier.channel.config;

import java.util.ArrayList;
import java.util.List;

/** The problems found in a channels file, each {@code path: message}. */
public final class Problems {

    private final List<String> problems = new ArrayList<>();

    public void add(String path, String message) {
        problems.add(path.isEmpty() ? message : path + ": " + message);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(problems);
    }
}
