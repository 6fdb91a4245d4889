package dev.winch.gateway;

import static dev.winch.gateway.HostileSender.assertRefused;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.gateway.HostileSender.Response;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Generated hostile requests against the real gateway and the real broker: malformed, oversized, mis-encoded and
 * deeply nested bodies for every receiver kind, Docker Hub pushes with names outside Docker's grammar, and trigger
 * URLs with names outside Kubernetes'. Every one must be refused with a 4xx in the one error shape (never a 5xx,
 * never a 2xx), and no topic may gain a record while they run.
 *
 * <p>Every generator builds inputs that are invalid by construction (a proper prefix of an object, a byte sequence
 * UTF-8 forbids, a control character in a tag), so the test needs no second implementation of the rules to know
 * the expected answer. 1,100 requests in all, drawn from {@link Gen generators} seeded per run: a failure names the
 * seed and the input, and {@code -Dwinch.fuzz.seed=<seed>} replays exactly that run (see {@link #SEED}).
 */
class HostileInputFuzzIT extends HostileRequests {

    private static final List<String> KINDS = List.of("scaleService", "scaleHost", "serviceUpgrade", "redeploy",
            "openRedeploy");
    private static final String PUSH =
            "{\"push_data\":{\"tag\":\"%s\",\"pusher\":\"ci\"},\"repository\":{\"repo_name\":\"%s\"}}";
    private static final String VALID_QUERY = "ns=demo&workload=deployment/web&container=web";
    /** Real payloads of every format, so truncation and corruption hit what senders really send. */
    private static final List<String> SAMPLES = List.of("dockerhub.json", "aliyun.json", "harbor-push.json",
            "quay.json", "registry-push.json", "custom.json", "alertmanager-firing-up.json");

    /**
     * The build draws the same 1,100 inputs every time, so it passes or fails on the code alone;
     * {@code -Dwinch.fuzz.seed=random} draws new ones (a failure then names its seed), any number replays a run.
     */
    private static final long SEED = seed(System.getProperty("winch.fuzz.seed", "20261202"));

    private static long seed(String property) {
        return property.equals("random") ? new Random().nextLong() : Long.parseLong(property);
    }

    /**
     * Draws {@code tries} inputs from {@code inputs} with a generator seeded from the run's seed and the test's
     * name, checks each, and reports every input that failed (at most ten shown) with the seed to replay them.
     */
    private <T> void forAll(String test, int tries, Gen<T> inputs, Consumer<T> check) {
        Random random = new Random(SEED ^ test.hashCode());
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < tries; i++) {
            T input = inputs.next(random);
            try {
                check.accept(input);
            } catch (AssertionError e) {
                failures.add("try " + i + ": " + describe(input) + " -> " + e.getMessage().strip());
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionFailedError(failures.size() + " of " + tries + " inputs failed (replay with "
                    + "-Dwinch.fuzz.seed=" + SEED + "):\n" + String.join("\n", failures.subList(0,
                    Math.min(10, failures.size()))));
        }
    }

    private static String describe(Object input) {
        String text = input instanceof byte[] bytes ? new String(bytes, UTF_8) : String.valueOf(input);
        text = text.length() > 200 ? text.substring(0, 200) + "... (" + text.length() + " chars)" : text;
        return text.codePoints().mapToObj(c -> c < 0x20 || (c >= 0x7F && c <= 0x9F) ? "\\u%04x".formatted(c)
                : Character.toString(c)).reduce("", String::concat);
    }

    private record KindAndBody(String kind, byte[] body) {
        @Override
        public String toString() {
            return kind + " " + describe(body);
        }
    }

    private record KindAndPush(String kind, String push) {
    }

    @Test
    void everyReceiverKindRefusesBodiesThatAreNotOneValidJsonObject() {
        Gen<KindAndBody> inputs = r -> new KindAndBody(Gen.of(KINDS).next(r), hostileBodies().next(r));
        forAll("bodies", 500, inputs, input -> {
            Response response = sender.post(sender.receiver(input.kind()),
                    input.kind().equals("openRedeploy") ? VALID_QUERY : "", input.body());

            assertThat(response.status()).as(response.body()).isIn(400, 413);
            assertRefused(response);
        });
    }

    @Test
    void imageReceiversRefuseTagsAndRepositoriesOutsideDockersGrammar() {
        Gen<KindAndPush> inputs = r -> new KindAndPush(
                Gen.of("serviceUpgrade", "redeploy", "openRedeploy").next(r), hostilePushes().next(r));
        forAll("pushes", 300, inputs, input -> {
            Response response = sender.post(sender.receiver(input.kind()),
                    input.kind().equals("openRedeploy") ? VALID_QUERY : "", input.push().getBytes(UTF_8));

            assertThat(response.status()).as(response.body()).isEqualTo(400);
            assertThat(assertRefused(response)).isNotEmpty().allSatisfy(field ->
                    assertThat(field).isIn("push_data.tag", "repository.repo_name"));
        });
    }

    @Test
    void triggerUrlsWithNamesKubernetesWouldRefuseAreRefused() {
        forAll("queries", 300, hostileQueries(), query -> {
            Response response = sender.post(sender.receiver("openRedeploy"), query,
                    PUSH.formatted("latest", "hongxiaolu/iperf3").getBytes(UTF_8));

            assertThat(response.status()).as(response.body()).isEqualTo(400);
            assertThat(assertRefused(response)).isNotEmpty().allSatisfy(field ->
                    assertThat(field).isIn("query", "query.ns", "query.workload", "query.container"));
        });
    }

    // ---- bodies ------------------------------------------------------------------------------------------------

    private static Gen<byte[]> hostileBodies() {
        return Gen.oneOf(truncated(), misEncoded(), deeplyNested(), notAnObject(), oversized(),
                overLimits(), trailingGarbage(), garbage(), utf16());
    }

    private static Gen<String> sample() {
        return Gen.of(SAMPLES).map(Samples::text).map(String::strip);
    }

    /** A proper, non-empty prefix of an object: never complete. */
    private static Gen<byte[]> truncated() {
        return sample().flatMap(text -> Gen.between(1, text.length() - 1)
                .map(length -> text.substring(0, length).getBytes(UTF_8)));
    }

    /** A sample with a sequence UTF-8 forbids inserted at any place. */
    private static Gen<byte[]> misEncoded() {
        Gen<byte[]> invalid = Gen.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xBF},
                new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xC1, (byte) 0xBF},
                new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80,
                        (byte) 0x80}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xFE}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xE2, (byte) 0x82},
                new byte[] {(byte) 0xC3});
        return r -> {
            byte[] valid = sample().next(r).getBytes(UTF_8);
            byte[] bytes = invalid.next(r);
            int at = (int) (r.nextDouble() * valid.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(valid, 0, at);
            out.writeBytes(bytes);
            out.write(valid, at, valid.length - at);
            return out.toByteArray();
        };
    }

    /** Objects and arrays nested past the limit, up to 10,000 levels. */
    private static Gen<byte[]> deeplyNested() {
        return r -> {
            int depth = Gen.between(65, 10_000).next(r);
            String open = Gen.of("{\"a\":", "[").next(r);
            boolean closed = r.nextBoolean();
            String close = open.equals("[") ? "]" : "}";
            String body = "{\"a\":" + open.repeat(depth) + "1" + (closed ? close.repeat(depth) : "") + "}";
            return body.getBytes(UTF_8);
        };
    }

    /** Valid JSON that is not an object. */
    private static Gen<byte[]> notAnObject() {
        return Gen.<String>oneOf(Gen.of("[]", "[{}]", "null", "true", "0", "-1.5e300", "\"{}\""),
                        Gen.strings(40).map(s -> new io.vertx.core.json.JsonArray().add(s).encode()),
                        r -> String.valueOf(r.nextInt()))
                .map(text -> text.getBytes(UTF_8));
    }

    /** A valid object larger than the body limit: 413. */
    private static Gen<byte[]> oversized() {
        return Gen.between(1, 4096).map(extra -> ("{\"pad\":\""
                + "x".repeat(HostileSender.MAX_BODY_BYTES + extra) + "\"}").getBytes(UTF_8));
    }

    /** Syntactically valid JSON over a stated limit: a number, a field name. */
    private static Gen<byte[]> overLimits() {
        return Gen.oneOf(
                Gen.between(101, 5000).map(n -> "{\"n\":" + "9".repeat(n) + "}"),
                Gen.between(1025, 5000).map(n -> "{\"" + "k".repeat(n) + "\":1}"))
                .map(text -> text.getBytes(UTF_8));
    }

    /** A valid sample followed by something that is not whitespace. */
    private static Gen<byte[]> trailingGarbage() {
        Gen<String> tails = Gen.of("x", "{}", "}", "]", ",", "\u0000", "1", "\"a\"");
        return r -> (sample().next(r) + tails.next(r)).getBytes(UTF_8);
    }

    /** Random bytes after a byte no JSON text starts with. */
    private static Gen<byte[]> garbage() {
        return Gen.bytes(2048).map(random -> {
            byte[] body = new byte[random.length + 1];
            body[0] = '}';
            System.arraycopy(random, 0, body, 1, random.length);
            return body;
        });
    }

    /** A valid sample in UTF-16 or UTF-32, which is not what RFC 8259 allows between systems. */
    private static Gen<byte[]> utf16() {
        Gen<java.nio.charset.Charset> charsets = Gen.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
                java.nio.charset.Charset.forName("UTF-32BE"));
        return r -> sample().next(r).getBytes(charsets.next(r));
    }

    // ---- pushes ------------------------------------------------------------------------------------------------

    private static Gen<String> hostilePushes() {
        return Gen.oneOf(
                hostileTag().map(tag -> push(tag, "hongxiaolu/iperf3")),
                hostileRepository().map(repository -> push("latest", repository)));
    }

    private static String push(String tag, String repository) {
        return new io.vertx.core.json.JsonObject()
                .put("push_data", new io.vertx.core.json.JsonObject().put("tag", tag).put("pusher", "ci"))
                .put("repository", new io.vertx.core.json.JsonObject().put("repo_name", repository)).encode();
    }

    private static Gen<Character> controlCharacter() {
        return Gen.oneOf(Gen.between(0x00, 0x1F).map(c -> (char) (int) c), Gen.between(0x7F, 0x9F).map(c -> (char) (int) c));
    }

    /** {@code value} with {@code c} inserted at a fraction of its length (start, inside or end). */
    private static Gen<String> withInserted(Gen<String> values, Gen<Character> inserted) {
        return r -> {
            String value = values.next(r);
            char c = inserted.next(r);
            int at = (int) Math.round(r.nextDouble() * value.length());
            return value.substring(0, at) + c + value.substring(at);
        };
    }

    private static Gen<String> hostileTag() {
        Gen<String> valid = Gen.of("latest", "v1.2.3", "1", "stable_2024-01");
        return Gen.oneOf(
                withInserted(valid, controlCharacter()),
                // Not a space: surrounding spaces are stripped, as templated senders leave them (FieldReader).
                withInserted(valid, Gen.of(':', '/', '@', '+', '!', '$', '{', 'é')),
                valid.map(tag -> "-" + tag),
                valid.map(tag -> "." + tag),
                Gen.between(129, 400).map("a"::repeat));
    }

    private static Gen<String> hostileRepository() {
        Gen<String> valid = Gen.of("hongxiaolu/iperf3", "nginx", "quay.io/team/app",
                "registry.example.com:5000/a/b");
        return Gen.oneOf(
                withInserted(valid, controlCharacter()),
                withInserted(valid.map(r -> r.substring(r.lastIndexOf('/') + 1)), Gen.of('A', 'Z', '!', '*'))
                        .map(name -> "team/" + name),
                valid.map(r -> r + ":latest"),
                valid.map(r -> r + "/"),
                valid.map(r -> "/" + r),
                Gen.of("hongxiaolu/iperf3", "quay.io/team/app", "registry.example.com:5000/a/b")
                        .map(r -> r.replace("/", "//")),
                valid.map(r -> r + "/.."),
                valid.map(r -> r + "/-x"),
                Gen.between(256, 600).map(n -> "team/" + "a".repeat(n)));
    }

    // ---- trigger URLs ------------------------------------------------------------------------------------------

    private static Gen<String> hostileQueries() {
        Gen<String> ns = hostileLabel("demo");
        Gen<String> container = hostileLabel("web");
        Gen<String> workload = Gen.oneOf(
                Gen.of("replicaset/web", "pod/web", "deployment", "deployment/", "/web", "deployment/..",
                        "deployment/.", "deployment/web/x", "deployment/../web", "service/web", "job/web")
                        .map(HostileInputFuzzIT::encoded),
                hostileSubdomain().map(name -> encoded("deployment/") + name));
        return Gen.oneOf(
                ns.map(bad -> "ns=" + bad + "&workload=deployment/web&container=web"),
                workload.map(bad -> "ns=demo&workload=" + bad + "&container=web"),
                container.map(bad -> "ns=demo&workload=deployment/web&container=" + bad),
                Gen.of("%", "%G1", "%1", "%%", "%zz", "a%").map(broken -> "ns=demo" + broken
                        + "&workload=deployment/web&container=web"));
    }

    /** Percent-encoded values that are not DNS-1123 labels. */
    private static Gen<String> hostileLabel(String valid) {
        return Gen.oneOf(
                withInserted(Gen.of(valid), controlCharacter()).map(HostileInputFuzzIT::encoded),
                withInserted(Gen.of(valid), Gen.of('/', '.', '_', 'A', ' ', ':', 'é', '\u200B'))
                        .map(HostileInputFuzzIT::encoded),
                Gen.of("../kube-system", "..", "-" + valid, valid + "-", valid.toUpperCase())
                        .map(HostileInputFuzzIT::encoded),
                Gen.between(64, 300).map("a"::repeat),
                Gen.of("%FF", "%C0%AF", "%ED%A0%80").map(bytes -> valid + bytes));
    }

    /** Percent-encoded names that are not DNS-1123 subdomains. */
    private static Gen<String> hostileSubdomain() {
        return Gen.oneOf(
                withInserted(Gen.of("web"), controlCharacter()).map(HostileInputFuzzIT::encoded),
                withInserted(Gen.of("web"), Gen.of('_', 'A', ' ', '*', 'é')).map(HostileInputFuzzIT::encoded),
                Gen.of("web.", ".web", "a..b", "-web").map(HostileInputFuzzIT::encoded),
                Gen.between(254, 600).map("w"::repeat));
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, UTF_8).replace("+", "%20");
    }
}
