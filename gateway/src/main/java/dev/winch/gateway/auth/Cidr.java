package dev.winch.gateway.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 address block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or one address). */
public final class Cidr {

    // compiled once: contains() parses the sender's address on every request
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /** @throws IllegalArgumentException when {@code text} is not an address or address/prefix */
    public static Cidr parse(String text) {
        String[] parts = text.trim().split("/", -1);
        if (parts.length > 2 || parts[0].isEmpty()) {
            throw new IllegalArgumentException("not a CIDR block: '" + text + "'");
        }
        byte[] address = literal(parts[0]);
        int bits = address.length * 8;
        int prefix = bits;
        if (parts.length == 2) {
            try {
                prefix = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR prefix: '" + text + "'");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix must be 0.." + bits + ": '" + text + "'");
            }
        }
        return new Cidr(mask(address, prefix), prefix, text.trim());
    }

    public boolean contains(String address) {
        byte[] candidate;
        try {
            candidate = literal(address);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (candidate.length != network.length) {
            candidate = mappedIpv4(candidate, network.length);
            if (candidate == null) {
                return false;
            }
        }
        return Arrays.equals(mask(candidate, prefix), network);
    }

    private static byte[] mappedIpv4(byte[] address, int wanted) {
        // ::ffff:a.b.c.d against an IPv4 block
        if (address.length == 16 && wanted == 4) {
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return null;
                }
            }
            if (address[10] == (byte) 0xff && address[11] == (byte) 0xff) {
                return Arrays.copyOfRange(address, 12, 16);
            }
        }
        return null;
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] masked = address.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] &= (byte) (0xff << (8 - keep));
        }
        return masked;
    }

    /** Parses an address literal without any name lookup. */
    private static byte[] literal(String text) {
        String value = text.trim();
        if (value.startsWith("[") && value.endsWith("]")) {
            value = value.substring(1, value.length() - 1);
        }
        boolean ipv4 = IPV4.matcher(value).matches();
        boolean ipv6 = value.contains(":") && IPV6.matcher(value).matches();
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        if (ipv4 && Arrays.stream(value.split("\\.")).anyMatch(part -> Integer.parseInt(part) > 255)) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        try {
            return InetAddress.getByName(value).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
