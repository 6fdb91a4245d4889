package dev.winch.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * A gateway with one receiver of every kind, and a sender that writes requests byte for byte over a plain socket, so
 * that what a hostile client can send (broken escapes, invalid UTF-8, raw control bytes, oversized lines) reaches
 * the server unchanged: {@code java.net.http} would refuse to build most of these requests.
 */
final class HostileSender implements AutoCloseable {

    static final String TOKEN = "hostile-sender-token";
    static final int MAX_BODY_BYTES = 128 * 1024;

    /** A request, exactly as it went out, and what came back. */
    record Response(int status, Map<String, String> headers, String body) {
    }

    private final RunningGateway gateway;
    private final Admin admin;
    /** Receiver ids by kind: scaleService, scaleHost, serviceUpgrade, redeploy (pinned), openRedeploy. */
    private final Map<String, String> receivers = new LinkedHashMap<>();

    private HostileSender(RunningGateway gateway, Admin admin) {
        this.gateway = gateway;
        this.admin = admin;
    }

    static HostileSender start(KafkaBroker broker) throws Exception {
        GatewayTopics.create(broker);
        // Rate limits high enough that no request of a test is answered 429 instead of being validated.
        RunningGateway gateway = RunningGateway.start(broker.bootstrapServers(), Map.of(
                "WINCH_MAX_BODY_BYTES", String.valueOf(MAX_BODY_BYTES),
                "WINCH_RATE_LIMIT_PER_SECOND", "1000000",
                "WINCH_RATE_LIMIT_BURST", "1000000"));
        HostileSender sender = new HostileSender(gateway, Admin.create(broker.adminProps()));
        sender.create("scaleService", """
                {'kind':'scaleService','scaleService':{'namespace':'demo','workload':'deployment/web','action':'up',
                 'max':10}}""");
        sender.create("scaleHost", """
                {'kind':'scaleHost','scaleHost':{'hostSelector':{'winch.dev/group':'workers'},'action':'up','max':5}}""");
        sender.create("serviceUpgrade", """
                {'kind':'serviceUpgrade','serviceUpgrade':{'tagPolicy':'glob:*','serviceSelector':{'app':'web'}}}""");
        sender.create("redeploy", """
                {'kind':'redeploy','redeploy':{'namespace':'demo','workload':'deployment/web','container':'web'}}""");
        sender.create("openRedeploy", "{'kind':'redeploy'}");
        return sender;
    }

    private void create(String kind, String receiver) {
        String id = KafkaBrokerExtension.uniqueName(kind.toLowerCase());
        JsonObject body = new JsonObject(receiver.replace('\'', '"')).put("id", id).put("token", TOKEN);
        byte[] json = body.encode().getBytes(StandardCharsets.UTF_8);
        Response response = send(("POST /api/v1/receivers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + json.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), json);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        receivers.put(kind, id);
    }

    Map<String, String> receivers() {
        return receivers;
    }

    String receiver(String kind) {
        return receivers.get(kind);
    }

    /** {@code POST /hooks/{id}?query} with the receivers' token in a header and {@code body} as it is. */
    Response post(String receiverId, String query, byte[] body) {
        String head = "POST /hooks/" + receiverId + (query == null || query.isEmpty() ? "" : "?" + query)
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Winch-Token: " + TOKEN
                + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        return send(head.getBytes(StandardCharsets.ISO_8859_1), body);
    }

    /**
     * Writes the bytes and reads one answer, by its Content-Length: the connection stays open while it is read, so
     * the server, which reads the rest of a request it has already answered, never resets it under the answer.
     */
    Response send(byte[] head, byte[] body) {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            try {
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // The server may answer (413, 431) and close before reading all of it; the answer is still there.
            }
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("request to the gateway failed", e);
        }
    }

    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before an answer, after: " + head);
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).strip().split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
        }
        byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Asserts a refusal: a 4xx in the gateway's one error shape {@code {code, error, message, validationErrors?}};
     * returns the fields of its validation errors.
     */
    static java.util.List<String> assertRefused(Response response) {
        assertThat(response.status()).as("status of %s", response.body()).isBetween(400, 499);
        assertThat(response.headers().get("content-type")).as(response.body()).startsWith("application/json");
        JsonObject error = new JsonObject(response.body());
        assertThat(error.fieldNames()).isSubsetOf("code", "error", "message", "validationErrors");
        assertThat(error.getInteger("code")).isEqualTo(response.status());
        assertThat(error.getString("error")).isNotBlank();
        assertThat(error.getString("message")).isNotBlank();
        java.util.List<String> fields = new java.util.ArrayList<>();
        for (Object item : error.getJsonArray("validationErrors", new JsonArray())) {
            JsonObject fieldError = (JsonObject) item;
            assertThat(fieldError.fieldNames()).containsExactlyInAnyOrder("field", "message");
            fields.add(fieldError.getString("field"));
        }
        return fields;
    }

    /** The end offset of every partition of every topic: what a record written anywhere would move. */
    Map<TopicPartition, Long> endOffsets() throws Exception {
        Map<String, TopicDescription> topics = admin.describeTopics(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                .allTopicNames().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        topics.values().forEach(topic -> topic.partitions().forEach(
                p -> latest.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((p, info) -> offsets.put(p, info.offset()));
        return offsets;
    }

    @Override
    public void close() throws Exception {
        admin.close();
        gateway.close();
    }
}
