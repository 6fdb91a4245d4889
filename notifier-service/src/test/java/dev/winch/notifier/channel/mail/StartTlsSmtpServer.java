package dev.winch.notifier.channel.mail;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The smallest SMTP server that offers STARTTLS (GreenMail does not): enough of RFC 5321 and RFC 3207 for one
 * client to upgrade, log in with PLAIN or LOGIN and send mail. It records what it was told and whether the
 * connection was encrypted at that moment.
 */
final class StartTlsSmtpServer implements AutoCloseable {

    /** One command or login the server received, and whether TLS was on when it came. */
    record Received(String what, boolean overTls) {
    }

    private final NetServer server;
    private final ServerSSLOptions tls;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> mails = new CopyOnWriteArrayList<>();

    private StartTlsSmtpServer(Vertx vertx, String certificatePem, String keyPem) {
        this.tls = new ServerSSLOptions().setKeyCertOptions(new PemKeyCertOptions()
                .addCertValue(Buffer.buffer(certificatePem)).addKeyValue(Buffer.buffer(keyPem)));
        this.server = vertx.createNetServer().connectHandler(this::session);
    }

    static StartTlsSmtpServer start(Vertx vertx, String certificatePem, String keyPem) {
        StartTlsSmtpServer smtp = new StartTlsSmtpServer(vertx, certificatePem, keyPem);
        smtp.server.listen(0, "127.0.0.1").await();
        return smtp;
    }

    int port() {
        return server.actualPort();
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    List<String> mails() {
        return List.copyOf(mails);
    }

    private void session(NetSocket socket) {
        Session session = new Session(socket);
        RecordParser lines = RecordParser.newDelimited("\r\n", session::line);
        socket.handler(lines);
        socket.write("220 localhost ESMTP test\r\n");
    }

    private final class Session {
        private final NetSocket socket;
        private String expecting = "";
        private StringBuilder data;

        Session(NetSocket socket) {
            this.socket = socket;
        }

        void line(Buffer buffer) {
            String line = buffer.toString(StandardCharsets.UTF_8);
            if (data != null) {
                if (line.equals(".")) {
                    mails.add(data.toString());
                    data = null;
                    reply("250 2.0.0 queued");
                } else {
                    data.append(line.startsWith("..") ? line.substring(1) : line).append("\r\n");
                }
                return;
            }
            switch (expecting) {
                case "plain" -> {
                    expecting = "";
                    plain(line);
                    return;
                }
                case "login-user" -> {
                    expecting = "login-password";
                    received.add(new Received("user " + decode(line), socket.isSsl()));
                    reply("334 UGFzc3dvcmQ6");
                    return;
                }
                case "login-password" -> {
                    expecting = "";
                    received.add(new Received("password " + decode(line), socket.isSsl()));
                    reply("235 2.7.0 accepted");
                    return;
                }
                default -> {
                }
            }
            String command = line.toUpperCase(Locale.ROOT);
            received.add(new Received(command.startsWith("AUTH") ? line.substring(0, Math.min(line.length(), 10))
                    : line, socket.isSsl()));
            if (command.startsWith("EHLO")) {
                socket.write("250-localhost\r\n" + (socket.isSsl() ? "" : "250-STARTTLS\r\n")
                        + "250 AUTH PLAIN LOGIN\r\n");
            } else if (command.equals("STARTTLS")) {
                socket.upgradeToSsl(tls, Buffer.buffer("220 2.0.0 ready for TLS\r\n"));
            } else if (command.startsWith("AUTH PLAIN ")) {
                plain(line.substring("AUTH PLAIN ".length()));
            } else if (command.equals("AUTH PLAIN")) {
                expecting = "plain";
                reply("334 ");
            } else if (command.startsWith("AUTH LOGIN")) {
                expecting = "login-user";
                reply("334 VXNlcm5hbWU6");
            } else if (command.equals("DATA")) {
                data = new StringBuilder();
                reply("354 end with .");
            } else if (command.equals("QUIT")) {
                socket.write("221 bye\r\n").onComplete(done -> socket.close());
            } else {
                reply("250 2.0.0 ok");
            }
        }

        private void plain(String response) {
            String[] parts = decode(response).split("\u0000", -1);
            received.add(new Received("user " + parts[1], socket.isSsl()));
            received.add(new Received("password " + parts[2], socket.isSsl()));
            reply("235 2.7.0 accepted");
        }

        private void reply(String text) {
            socket.write(text + "\r\n");
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close().await();
    }
}
