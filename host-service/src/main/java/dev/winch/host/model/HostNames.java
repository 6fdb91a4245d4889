package dev.winch.host.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Names for the hosts the exec provider is asked to create: the template's name without its own random suffix, a
 * dash, and six hex digits derived from the event id and the clone's index. Derived, not random, so that the same
 * event asks for the same names when it is carried out again; checked against the Nodes that exist (and against each
 * other), a clash moving on to the next derivation, so that a name never collides. Always a valid Node name
 * (DNS-1123 subdomain, at most 63 characters so it also fits a label value and a host name).
 */
public final class HostNames {

    private static final int MAX = 63;
    private static final int SUFFIX = 6;

    private HostNames() {
    }

    /** {@code count} new names for clones of {@code template}, none of them in {@code existing}. */
    public static List<String> generate(String template, String eventId, int count, Set<String> existing) {
        String base = base(template);
        Set<String> taken = new HashSet<>(existing);
        List<String> names = new ArrayList<>();
        for (int index = 0, salt = 0; names.size() < count; salt++) {
            String name = base + "-" + digest(eventId + "/" + index + "/" + salt);
            if (taken.add(name)) {
                names.add(name);
                index++;
                salt = -1;
            }
        }
        return names;
    }

    /** The template's name, lower case, without a trailing {@code -xxxxx} suffix that looks generated. */
    static String base(String template) {
        String name = template.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        int dash = name.lastIndexOf('-');
        if (dash > 0 && name.length() - dash - 1 >= 4 && name.substring(dash + 1).matches("[a-z0-9]+")
                && name.substring(dash + 1).matches(".*\\d.*")) {
            name = name.substring(0, dash);
        }
        name = name.replaceAll("^[^a-z0-9]+", "");
        if (name.length() > MAX - SUFFIX - 1) {
            name = name.substring(0, MAX - SUFFIX - 1);
        }
        name = name.replaceAll("[^a-z0-9]+$", "");
        return name.isEmpty() ? "host" : name;
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, SUFFIX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
