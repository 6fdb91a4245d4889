package dev.winch.gateway.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.gateway.hooks.HookFile;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names of the notifier's channels, when the gateway is given the notifier's channels file
 * ({@code WINCH_NOTIFIER_CHANNELS_FILE}, the same file): a receiver whose {@code notify} names a channel that does
 * not exist is then refused where it is written (admin API: 400; receivers file: at start), naming the field.
 * Without the file any well-formed name is taken, and the notifier warns about a route to a channel it does not
 * have. Only the names are read here: what a channel is and its secrets are the notifier's business.
 */
public final class ChannelNames {

    private static final ChannelNames UNKNOWN = new ChannelNames(null);

    /** Null when the gateway was given no channels file. */
    private final Set<String> names;

    private ChannelNames(Set<String> names) {
        this.names = names;
    }

    /** No channels file: every well-formed channel name is taken. */
    public static ChannelNames unknown() {
        return UNKNOWN;
    }

    public static ChannelNames of(Set<String> names) {
        return new ChannelNames(new TreeSet<>(names));
    }

    /** The {@code channels[].name} of a channels file (YAML or JSON). */
    public static ChannelNames read(Path file) throws IOException {
        JsonNode root = HookFile.readTree(Files.readAllBytes(file));
        JsonNode channels = root == null ? null : root.get("channels");
        Set<String> names = new TreeSet<>();
        if (channels != null && channels.isArray()) {
            for (JsonNode channel : channels) {
                if (channel.path("name").isTextual()) {
                    names.add(channel.path("name").asText());
                }
            }
        }
        return new ChannelNames(names);
    }

    /**
     * Refuses {@code spec} when one of its routes names a channel the channels file does not have.
     *
     * @param at the path of the receiver in what was written ({@code ""} for an admin API body,
     *           {@code receivers[2].} for a receivers file)
     */
    public void check(ReceiverSpec spec, String at) throws InvalidPayloadException {
        if (names == null || spec.notifyRoutes() == null) {
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        List<ReceiverSpec.Notify> routes = spec.notifyRoutes();
        for (int i = 0; i < routes.size(); i++) {
            String channel = routes.get(i).channel();
            if (!names.contains(channel)) {
                errors.add(new FieldError(at + "notify[" + i + "].channel", "no channel named '" + channel
                        + "' in the notifier's channels file; it has " + names));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException("the receiver routes results to a channel that does not exist", errors);
        }
    }
}
