package dev.winch.host.model;

import java.util.Optional;

/** Which host of a state goes first on the way down: the receiver's {@code deleteOption}. */
public enum DeleteOption {
    /** The newest hosts first (the default). */
    MOST_RECENT("mostRecent"),
    /** The oldest hosts first. */
    LEAST_RECENT("leastRecent");

    private final String word;

    DeleteOption(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** {@code mostRecent} or {@code leastRecent}; none given means {@code mostRecent}; anything else is empty. */
    public static Optional<DeleteOption> of(String value) {
        if (value == null || value.isBlank()) {
            return Optional.of(MOST_RECENT);
        }
        for (DeleteOption option : values()) {
            if (option.word.equals(value.strip())) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }
}
