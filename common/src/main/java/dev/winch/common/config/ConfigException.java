package dev.winch.common.config;

import java.util.List;

/** The environment does not describe a valid configuration. Every problem names its variable. */
public final class ConfigException extends RuntimeException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
