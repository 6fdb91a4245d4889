package dev.winch.notifier.channel.mail;

import dev.winch.notifier.channel.CallerContext;
import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.Notification;
import dev.winch.notifier.channel.template.MessageModel;
import dev.winch.notifier.channel.template.MessageTemplate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.SMTPException;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Mail through an SMTP server (vertx-mail-client): an HTML part (values HTML-escaped) and a plain-text
 * alternative, to every recipient of the channel. A 5xx answer of the server is a rejection, a 4xx, a refused
 * connection, a failed TLS handshake or a timeout is worth a retry.
 */
public final class SmtpChannel implements Channel, AutoCloseable {

    private static final String PASSWORD_METHODS = "CRAM-SHA256 CRAM-SHA1 CRAM-MD5 DIGEST-MD5 PLAIN LOGIN";

    private final String name;
    private final SmtpSettings settings;
    private final MailClient client;
    private final int messagesPerMinute;
    private final MessageTemplate subject;
    private final MessageTemplate html;
    private final MessageTemplate text;

    public SmtpChannel(Vertx vertx, String name, SmtpSettings settings, int messagesPerMinute,
            MessageTemplate subject, MessageTemplate html, MessageTemplate text) {
        this.name = name;
        this.settings = settings;
        this.client = MailClient.create(vertx, mailConfig(settings));
        this.messagesPerMinute = messagesPerMinute;
        this.subject = subject;
        this.html = html;
        this.text = text;
    }

    static MailConfig mailConfig(SmtpSettings settings) {
        MailConfig config = new MailConfig()
                .setHostname(settings.host())
                .setPort(settings.port())
                .setSsl(settings.tls() == SmtpSettings.Tls.IMPLICIT)
                .setStarttls(switch (settings.tls()) {
                    case STARTTLS -> StartTLSOptions.REQUIRED;
                    case IMPLICIT, NONE -> StartTLSOptions.DISABLED;
                })
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()))
                // One connection at a time per channel is plenty at mail rates, and keeps a broken server from
                // being hit by many.
                .setMaxPoolSize(1);
        if (settings.username() != null) {
            // A password, not an OAuth token: XOAUTH2 would send it as a bearer token first and log its failure.
            config.setLogin(LoginOption.REQUIRED).setAuthMethods(PASSWORD_METHODS).setUsername(settings.username())
                    .setPassword(settings.password() == null ? "" : settings.password().reveal());
        } else {
            config.setLogin(LoginOption.DISABLED);
        }
        if (!settings.verifyTls()) {
            config.setTrustAll(true).setHostnameVerificationAlgorithm("");
        } else {
            config.setTrustAll(false).setHostnameVerificationAlgorithm("HTTPS");
            if (settings.caCertificate() != null) {
                config.setTrustOptions(new PemTrustOptions().addCertValue(
                        Buffer.buffer(settings.caCertificate().pem())));
            }
        }
        return config;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "smtp";
    }

    @Override
    public int messagesPerMinute() {
        return messagesPerMinute;
    }

    /** The mail this channel would send for {@code notification}, without sending it. */
    public MailMessage message(Notification notification) {
        Map<String, Object> model = MessageModel.of(notification);
        return new MailMessage()
                .setFrom(settings.from())
                .setTo(settings.to())
                .setSubject(subject.render(model))
                .setText(text.render(model) + "\n")
                .setHtml(html.render(model));
    }

    @Override
    public Future<Delivery> send(Notification notification) {
        MailMessage message;
        try {
            message = message(notification);
        } catch (RuntimeException e) {
            return Future.succeededFuture(new Delivery.Rejected("template of channel " + name + " failed: "
                    + e.getMessage()));
        }
        Future<Delivery> sent;
        try {
            sent = client.sendMail(message)
                    .timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .map(result -> new Delivery.Delivered(250));
        } catch (RuntimeException e) {
            return Future.succeededFuture(new Delivery.Retry(describe(e), null));
        }
        return CallerContext.keep(sent.recover(error -> Future.succeededFuture(classify(error))));
    }

    private Delivery classify(Throwable error) {
        if (error instanceof SMTPException smtp && smtp.isPermanent()) {
            return new Delivery.Rejected(describe(error));
        }
        return new Delivery.Retry(describe(error), null);
    }

    private String describe(Throwable error) {
        if (error instanceof TimeoutException) {
            return "no answer from " + settings.host() + ":" + settings.port() + " within "
                    + settings.timeout().toMillis() + " ms";
        }
        Throwable tls = error;
        while (tls != null && !(tls instanceof SSLException)) {
            tls = tls.getCause();
        }
        String message = tls != null ? "TLS with " + settings.host() + ":" + settings.port() + " failed: "
                + tls.getMessage()
                : error.getClass().getSimpleName() + ": " + error.getMessage();
        if (settings.password() != null) {
            message = message.replace(settings.password().reveal(), "******");
        }
        return message;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "SmtpChannel[" + name + ", " + settings.host() + ":" + settings.port() + "]";
    }
}
