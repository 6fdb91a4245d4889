package dev.winch.notifier.channel.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Optional;

/**
 * A CA certificate to trust, as PEM text. Given as PEM, or as base64 of the PEM file ({@code cat ca.pem | base64},
 * as the mail tool the notifier replaces took it); parsed at load so a bad one fails at start.
 */
public record CaCertificate(String pem) {

    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";

    @Override
    public String toString() {
        return "CaCertificate[" + pem.length() + " characters of PEM]";
    }

    /** Reads {@code field} of {@code owner}: inline text, {@code {file: PATH}} or {@code {env: NAME}}. */
    public static Optional<CaCertificate> read(Node owner, String field) {
        Optional<String> text = owner.textOrReference(field);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String pem = text.get().trim();
        if (!pem.contains(BEGIN)) {
            try {
                pem = new String(Base64.getMimeDecoder().decode(pem), StandardCharsets.UTF_8).trim();
            } catch (IllegalArgumentException e) {
                owner.problem(field, "is neither a PEM certificate nor base64 of one");
                return Optional.empty();
            }
            if (!pem.contains(BEGIN)) {
                owner.problem(field, "is neither a PEM certificate nor base64 of one");
                return Optional.empty();
            }
        }
        try {
            var certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certificates.isEmpty()) {
                owner.problem(field, "holds no certificate");
                return Optional.empty();
            }
        } catch (CertificateException | RuntimeException e) {
            owner.problem(field, "is not a valid PEM certificate (" + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
        return Optional.of(new CaCertificate(pem));
    }
}
