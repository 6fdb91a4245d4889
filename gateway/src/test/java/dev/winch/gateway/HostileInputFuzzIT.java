package dev.winch.gateway;

import static dev.winch.gateway.HostileSender.assertRefused;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.gateway.HostileSender.Response;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.apache.kafka.common.TopicPartition;

/**
 * Generated hostile requests against the real gateway and the real broker: malformed, oversized, mis-encoded and
 * deeply nested bodies for every receiver kind, Docker Hub pushes with names outside Docker's grammar, and trigger
 * URLs with names outside Kubernetes'. Every one must be refused with a 4xx in the one error shape (never a 5xx,
 * never a 2xx), and no topic may gain a record while they run.
 *
 * <p>Every generator builds inputs that are invalid by construction (a proper prefix of an object, a byte sequence
 * UTF-8 forbids, a control character in a tag), so the test needs no second implementation of the rules to know
 * the expected answer. 1,100 requests in all; shrinking is bounded so a failure is reported in seconds.
 */
class HostileInputFuzzIT {

    private static final List<String> KINDS = List.of("scaleService", "scaleHost", "serviceUpgrade", "redeploy",
            "openRedeploy");
    private static final String PUSH =
            "{\"push_data\":{\"tag\":\"%s\",\"pusher\":\"ci\"},\"repository\":{\"repo_name\":\"%s\"}}";
    private static final String VALID_QUERY = "ns=demo&workload=deployment/web&container=web";
    /** Real payloads of every format, so truncation and corruption hit what senders really send. */
    private static final List<String> SAMPLES = List.of("dockerhub.json", "aliyun.json", "harbor-push.json",
            "quay.json", "registry-push.json", "custom.json", "alertmanager-firing-up.json");

    private static KafkaBroker broker;
    private static HostileSender sender;
    private Map<TopicPartition, Long> before;

    @BeforeContainer
    static void start() throws Exception {
        broker = KafkaBrokerExtension.startBroker();
        sender = HostileSender.start(broker);
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            if (sender != null) {
                sender.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @BeforeProperty
    void rememberWhereTheTopicsEnd() throws Exception {
        before = sender.endOffsets();
    }

    @AfterProperty
    void nothingWasPublished() throws Exception {
        assertThat(sender.endOffsets()).as("end offsets of every topic after the property").isEqualTo(before);
    }

    @Property(tries = 500, shrinking = ShrinkingMode.BOUNDED)
    void everyReceiverKindRefusesBodiesThatAreNotOneValidJsonObject(@ForAll("receiverKinds") String kind,
            @ForAll("hostileBodies") byte[] body) {
        Response response = sender.post(sender.receiver(kind), kind.equals("openRedeploy") ? VALID_QUERY : "", body);

        assertThat(response.status()).as(response.body()).isIn(400, 413);
        assertRefused(response);
    }

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED)
    void imageReceiversRefuseTagsAndRepositoriesOutsideDockersGrammar(
            @ForAll("imageReceiverKinds") String kind, @ForAll("hostilePushes") String push) {
        Response response = sender.post(sender.receiver(kind), kind.equals("openRedeploy") ? VALID_QUERY : "",
                push.getBytes(UTF_8));

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(assertRefused(response)).isNotEmpty().allSatisfy(field ->
                assertThat(field).isIn("push_data.tag", "repository.repo_name"));
    }

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED)
    void triggerUrlsWithNamesKubernetesWouldRefuseAreRefused(@ForAll("hostileQueries") String query) {
        Response response = sender.post(sender.receiver("openRedeploy"), query,
                PUSH.formatted("latest", "hongxiaolu/iperf3").getBytes(UTF_8));

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(assertRefused(response)).isNotEmpty().allSatisfy(field ->
                assertThat(field).isIn("query", "query.ns", "query.workload", "query.container"));
    }

    // ---- receivers ---------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<String> receiverKinds() {
        return Arbitraries.of(KINDS);
    }

    @Provide
    Arbitrary<String> imageReceiverKinds() {
        return Arbitraries.of("serviceUpgrade", "redeploy", "openRedeploy");
    }

    // ---- bodies ------------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<byte[]> hostileBodies() {
        return Arbitraries.oneOf(truncated(), misEncoded(), deeplyNested(), notAnObject(), oversized(),
                overLimits(), trailingGarbage(), garbage(), utf16());
    }

    private static Arbitrary<String> sample() {
        return Arbitraries.of(SAMPLES).map(Samples::text).map(String::strip);
    }

    /** A proper, non-empty prefix of an object: never complete. */
    private static Arbitrary<byte[]> truncated() {
        return sample().flatMap(text -> Arbitraries.integers().between(1, text.length() - 1)
                .map(length -> text.substring(0, length).getBytes(UTF_8)));
    }

    /** A sample with a sequence UTF-8 forbids inserted at any place. */
    private static Arbitrary<byte[]> misEncoded() {
        Arbitrary<byte[]> invalid = Arbitraries.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xBF},
                new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xC1, (byte) 0xBF},
                new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80,
                        (byte) 0x80}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xFE}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xE2, (byte) 0x82},
                new byte[] {(byte) 0xC3});
        return Combinators.combine(sample(), invalid, Arbitraries.doubles().between(0, 1))
                .as((text, bytes, where) -> {
                    byte[] valid = text.getBytes(UTF_8);
                    int at = (int) (where * valid.length);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    out.write(valid, 0, at);
                    out.writeBytes(bytes);
                    out.write(valid, at, valid.length - at);
                    return out.toByteArray();
                });
    }

    /** Objects and arrays nested past the limit, up to 10,000 levels. */
    private static Arbitrary<byte[]> deeplyNested() {
        return Combinators.combine(Arbitraries.integers().between(65, 10_000), Arbitraries.of("{\"a\":", "["),
                        Arbitraries.of(true, false))
                .as((depth, open, closed) -> {
                    String close = open.equals("[") ? "]" : "}";
                    String body = "{\"a\":" + open.repeat(depth) + "1" + (closed ? close.repeat(depth) : "") + "}";
                    return body.getBytes(UTF_8);
                });
    }

    /** Valid JSON that is not an object. */
    private static Arbitrary<byte[]> notAnObject() {
        return Arbitraries.oneOf(Arbitraries.of("[]", "[{}]", "null", "true", "0", "-1.5e300", "\"{}\""),
                        Arbitraries.strings().ofMaxLength(40).map(s -> new io.vertx.core.json.JsonArray().add(s).encode()),
                        Arbitraries.integers().map(String::valueOf))
                .map(text -> text.getBytes(UTF_8));
    }

    /** A valid object larger than the body limit: 413. */
    private static Arbitrary<byte[]> oversized() {
        return Arbitraries.integers().between(1, 4096).map(extra -> ("{\"pad\":\""
                + "x".repeat(HostileSender.MAX_BODY_BYTES + extra) + "\"}").getBytes(UTF_8));
    }

    /** Syntactically valid JSON over a stated limit: a number, a field name. */
    private static Arbitrary<byte[]> overLimits() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(101, 5000).map(n -> "{\"n\":" + "9".repeat(n) + "}"),
                Arbitraries.integers().between(1025, 5000).map(n -> "{\"" + "k".repeat(n) + "\":1}"))
                .map(text -> text.getBytes(UTF_8));
    }

    /** A valid sample followed by something that is not whitespace. */
    private static Arbitrary<byte[]> trailingGarbage() {
        return Combinators.combine(sample(), Arbitraries.of("x", "{}", "}", "]", ",", "\u0000", "1", "\"a\""))
                .as((text, tail) -> (text + tail).getBytes(UTF_8));
    }

    /** Random bytes after a byte no JSON text starts with. */
    private static Arbitrary<byte[]> garbage() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(2048).map(random -> {
            byte[] body = new byte[random.length + 1];
            body[0] = '}';
            System.arraycopy(random, 0, body, 1, random.length);
            return body;
        });
    }

    /** A valid sample in UTF-16 or UTF-32, which is not what RFC 8259 allows between systems. */
    private static Arbitrary<byte[]> utf16() {
        return Combinators.combine(sample(), Arbitraries.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
                        java.nio.charset.Charset.forName("UTF-32BE")))
                .as(String::getBytes);
    }

    // ---- pushes ------------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<String> hostilePushes() {
        return Arbitraries.oneOf(
                Combinators.combine(hostileTag(), Arbitraries.just("hongxiaolu/iperf3")).as(HostileInputFuzzIT::push),
                Combinators.combine(Arbitraries.just("latest"), hostileRepository()).as(HostileInputFuzzIT::push));
    }

    private static String push(String tag, String repository) {
        return new io.vertx.core.json.JsonObject()
                .put("push_data", new io.vertx.core.json.JsonObject().put("tag", tag).put("pusher", "ci"))
                .put("repository", new io.vertx.core.json.JsonObject().put("repo_name", repository)).encode();
    }

    private static Arbitrary<Character> controlCharacter() {
        return Arbitraries.oneOf(Arbitraries.chars().range('\u0000', '\u001F'),
                Arbitraries.chars().range('\u007F', '\u009F'));
    }

    /** {@code value} with {@code c} inserted at a fraction of its length (start, inside or end). */
    private static Arbitrary<String> withInserted(Arbitrary<String> values, Arbitrary<Character> inserted) {
        return Combinators.combine(values, inserted, Arbitraries.doubles().between(0, 1)).as((value, c, where) -> {
            int at = (int) Math.round(where * value.length());
            return value.substring(0, at) + c + value.substring(at);
        });
    }

    private static Arbitrary<String> hostileTag() {
        Arbitrary<String> valid = Arbitraries.of("latest", "v1.2.3", "1", "stable_2024-01");
        return Arbitraries.oneOf(
                withInserted(valid, controlCharacter()),
                // Not a space: surrounding spaces are stripped, as templated senders leave them (FieldReader).
                withInserted(valid, Arbitraries.of(':', '/', '@', '+', '!', '$', '{', 'é')),
                valid.map(tag -> "-" + tag),
                valid.map(tag -> "." + tag),
                Arbitraries.integers().between(129, 400).map("a"::repeat));
    }

    private static Arbitrary<String> hostileRepository() {
        Arbitrary<String> valid = Arbitraries.of("hongxiaolu/iperf3", "nginx", "quay.io/team/app",
                "registry.example.com:5000/a/b");
        return Arbitraries.oneOf(
                withInserted(valid, controlCharacter()),
                withInserted(valid.map(r -> r.substring(r.lastIndexOf('/') + 1)), Arbitraries.of('A', 'Z', '!', '*'))
                        .map(name -> "team/" + name),
                valid.map(r -> r + ":latest"),
                valid.map(r -> r + "/"),
                valid.map(r -> "/" + r),
                valid.filter(r -> r.contains("/")).map(r -> r.replace("/", "//")),
                valid.map(r -> r + "/.."),
                valid.map(r -> r + "/-x"),
                Arbitraries.integers().between(256, 600).map(n -> "team/" + "a".repeat(n)));
    }

    // ---- trigger URLs ------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<String> hostileQueries() {
        Arbitrary<String> ns = hostileLabel("demo");
        Arbitrary<String> container = hostileLabel("web");
        Arbitrary<String> workload = Arbitraries.oneOf(
                Arbitraries.of("replicaset/web", "pod/web", "deployment", "deployment/", "/web", "deployment/..",
                        "deployment/.", "deployment/web/x", "deployment/../web", "service/web", "job/web")
                        .map(HostileInputFuzzIT::encoded),
                hostileSubdomain().map(name -> encoded("deployment/") + name));
        return Arbitraries.oneOf(
                ns.map(bad -> "ns=" + bad + "&workload=deployment/web&container=web"),
                workload.map(bad -> "ns=demo&workload=" + bad + "&container=web"),
                container.map(bad -> "ns=demo&workload=deployment/web&container=" + bad),
                Arbitraries.of("%", "%G1", "%1", "%%", "%zz", "a%").map(broken -> "ns=demo" + broken
                        + "&workload=deployment/web&container=web"));
    }

    /** Percent-encoded values that are not DNS-1123 labels. */
    private static Arbitrary<String> hostileLabel(String valid) {
        return Arbitraries.oneOf(
                withInserted(Arbitraries.just(valid), controlCharacter()).map(HostileInputFuzzIT::encoded),
                withInserted(Arbitraries.just(valid), Arbitraries.of('/', '.', '_', 'A', ' ', ':', 'é', '\u200B'))
                        .map(HostileInputFuzzIT::encoded),
                Arbitraries.of("../kube-system", "..", "-" + valid, valid + "-", valid.toUpperCase())
                        .map(HostileInputFuzzIT::encoded),
                Arbitraries.integers().between(64, 300).map("a"::repeat),
                Arbitraries.of("%FF", "%C0%AF", "%ED%A0%80").map(bytes -> valid + bytes));
    }

    /** Percent-encoded names that are not DNS-1123 subdomains. */
    private static Arbitrary<String> hostileSubdomain() {
        return Arbitraries.oneOf(
                withInserted(Arbitraries.just("web"), controlCharacter()).map(HostileInputFuzzIT::encoded),
                withInserted(Arbitraries.just("web"), Arbitraries.of('_', 'A', ' ', '*', 'é')).map(HostileInputFuzzIT::encoded),
                Arbitraries.of("web.", ".web", "a..b", "-web").map(HostileInputFuzzIT::encoded),
                Arbitraries.integers().between(254, 600).map("w"::repeat));
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, UTF_8).replace("+", "%20");
    }
}
