package dev.winch.notifier.channel.mail;

import dev.winch.common.config.Secret;
import dev.winch.notifier.channel.config.CaCertificate;
import java.time.Duration;
import java.util.List;

/**
 * Where and how an SMTP channel sends, as the mail tool the notifier replaces took it (host, port, from, user,
 * password, a self-signed CA, TLS verification on or off), plus the recipients.
 *
 * @param tls           {@code implicit} (TLS from the first byte, SMTPS, port 465), {@code starttls} (plain, then
 *                      STARTTLS, required) or {@code none}
 * @param verifyTls     false trusts any certificate and host name
 * @param caCertificate an extra CA to trust (a self-signed server), or null
 * @param username      null to send without logging in
 */
public record SmtpSettings(
        String host,
        int port,
        Tls tls,
        boolean verifyTls,
        CaCertificate caCertificate,
        String from,
        String username,
        Secret password,
        List<String> to,
        Duration timeout) {

    public enum Tls {
        IMPLICIT, STARTTLS, NONE;

        public int defaultPort() {
            return switch (this) {
                case IMPLICIT -> 465;
                case STARTTLS -> 587;
                case NONE -> 25;
            };
        }
    }

    public SmtpSettings {
        to = List.copyOf(to);
    }
}
