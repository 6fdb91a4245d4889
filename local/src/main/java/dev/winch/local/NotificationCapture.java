package dev.winch.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.stream.Collectors;

/**
 * Where the local run's notifications land, so a newcomer sees them: an SMTP server in this JVM (GreenMail) for a
 * {@code smtp} channel and a small HTTP endpoint for a {@code webhook} channel. {@code GET /captured} shows what
 * both received (the last {@value #KEEP} of each), newest last; each capture is also printed.
 */
final class NotificationCapture implements AutoCloseable {

    static final int KEEP = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 1 << 20;

    private final String host;
    private final PrintStream out;
    private final GreenMail smtp;
    private final HttpServer http;
    private final Deque<ObjectNode> webhooks = new ArrayDeque<>();

    private NotificationCapture(String host, PrintStream out, GreenMail smtp, HttpServer http) {
        this.host = host;
        this.out = out;
        this.smtp = smtp;
        this.http = http;
    }

    static NotificationCapture start(String host, PrintStream out) throws IOException {
        GreenMail smtp = new GreenMail(new ServerSetup(freePort(), host, ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        HttpServer http = HttpServer.create(new InetSocketAddress(host, 0), 16);
        NotificationCapture capture = new NotificationCapture(host, out, smtp, http);
        http.createContext("/hook", capture::webhook);
        http.createContext("/captured", capture::captured);
        http.start();
        return capture;
    }

    int smtpPort() {
        return smtp.getSmtp().getPort();
    }

    /** Where a webhook channel posts. */
    String webhookUrl() {
        return "http://" + host + ":" + http.getAddress().getPort() + "/hook";
    }

    /** What was received, as JSON. */
    String capturedUrl() {
        return "http://" + host + ":" + http.getAddress().getPort() + "/captured";
    }

    private void webhook(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                reply(exchange, 405, "{\"error\":\"POST only\"}");
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY);
            }
            String text = new String(body, StandardCharsets.UTF_8);
            ObjectNode entry = JSON.createObjectNode()
                    .put("at", Instant.now().toString())
                    .put("contentType", String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")))
                    .put("body", text);
            synchronized (webhooks) {
                webhooks.addLast(entry);
                while (webhooks.size() > KEEP) {
                    webhooks.removeFirst();
                }
            }
            out.println("[notification] webhook " + (text.length() > 300 ? text.substring(0, 300) + "..." : text));
            reply(exchange, 200, "{\"ok\":true}");
        }
    }

    private void captured(HttpExchange exchange) throws IOException {
        try (exchange) {
            ObjectNode all = JSON.createObjectNode();
            ArrayNode hooks = all.putArray("webhook");
            synchronized (webhooks) {
                webhooks.forEach(hooks::add);
            }
            ArrayNode mails = all.putArray("mail");
            MimeMessage[] received = smtp.getReceivedMessages();
            for (int i = Math.max(0, received.length - KEEP); i < received.length; i++) {
                mails.add(mail(received[i]));
            }
            reply(exchange, 200, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all));
        }
    }

    private static ObjectNode mail(MimeMessage message) {
        ObjectNode mail = JSON.createObjectNode();
        try {
            mail.put("from", addresses(message.getFrom()));
            mail.put("to", addresses(message.getAllRecipients()));
            mail.put("subject", message.getSubject());
            mail.put("body", GreenMailUtil.getBody(message));
        } catch (MessagingException e) {
            mail.put("error", e.getMessage());
        }
        return mail;
    }

    private static String addresses(Address[] addresses) {
        return addresses == null ? "" : Arrays.stream(addresses).map(Address::toString)
                .collect(Collectors.joining(", "));
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        http.stop(0);
        smtp.stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
