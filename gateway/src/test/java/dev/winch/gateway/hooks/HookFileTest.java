package dev.winch.gateway.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import dev.winch.gateway.receiver.ReceiverSpec;
import dev.winch.gateway.receiver.ReceiverSpec.Kind;
import dev.winch.gateway.receiver.ReceiverSpec.Redeploy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HookFileTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2019-03-14T17:32:50Z");
    private static final Map<String, String> SEED_URL = Map.of("token", "s3cr3t-token", "ns", "default",
            "workload", "deployment/webhooks", "container", "webhooks", "repo_type", "dockerhub");
    private static final String DOCKER_HUB_PUSH = "{\"push_data\":{\"pushed_at\":1552553567,\"images\":[],"
            + "\"tag\":\"latest\",\"pusher\":\"hongxiaolu\"},\"repository\":{\"name\":\"iperf3\","
            + "\"namespace\":\"hongxiaolu\",\"repo_name\":\"hongxiaolu/iperf3\"}}";

    private static JsonNode resource(String name, ObjectMapper mapper) throws IOException {
        try (InputStream in = HookFileTest.class.getResourceAsStream("/hooks/" + name)) {
            return mapper.readTree(in);
        }
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static boolean triggers(ReceiverSpec receiver, Map<String, String> query) {
        return matches(receiver, new HookRequest(query, Map.of("Content-Type", "application/json"),
                DOCKER_HUB_PUSH.getBytes(StandardCharsets.UTF_8), "10.42.0.7"));
    }

    private static boolean matches(ReceiverSpec receiver, HookRequest request) {
        try {
            return TriggerRule.compile(receiver.auth().triggerRule(), receiver.id()).evaluate(request)
                    == TriggerRule.Verdict.MATCHED;
        } catch (InvalidPayloadException e) {
            throw new AssertionError(e.errors());
        }
    }

    private static Map<String, String> seedUrlWith(String name, String value) {
        Map<String, String> query = new HashMap<>(SEED_URL);
        if (value == null) {
            query.remove(name);
        } else {
            query.put(name, value);
        }
        return query;
    }

    /** Every problem of every refused hook; the file itself must be a list. */
    private static List<FieldError> errors(String hooks) throws IOException {
        try {
            return HookFile.parse(json(hooks), NOW).refused().stream().flatMap(r -> r.errors().stream()).toList();
        } catch (InvalidPayloadException e) {
            return e.errors();
        }
    }

    @Test
    void readsTheSeedHookIntoOneRedeployReceiver() throws IOException {
        JsonNode file = resource("seed001-hooks.json", JSON);

        assertThat(HookFile.looksLikeHookFile(file)).isTrue();
        List<ReceiverSpec> receivers = assertValid(file);

        assertThat(receivers).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("cnrancher_website");
            assertThat(r.name()).isEqualTo("I got the payload!");
            assertThat(r.kind()).isEqualTo(Kind.REDEPLOY);
            assertThat(r.origin()).isEqualTo("file");
            assertThat(r.redeploy()).isEqualTo(new Redeploy(null, null, null, null));
            assertThat(r.auth().tokenSha256()).isNull();
            assertThat(r.auth().hmacSecret()).isNull();
            assertThat(r.auth().allowedCidrs()).isEmpty();
            assertThat(r.auth().triggerRule().get("trigger-rule")).isEqualTo(file.get(0).get("trigger-rule"));
            assertThat(r.scaleService()).isNull();
            assertThat(r.rateLimit()).isNull();
            assertThat(r.createdAt()).isEqualTo(NOW);
            assertThat(r.updatedAt()).isEqualTo(NOW);
        });
        assertThat(HookFile.mismatchStatus(file.get(0))).isEqualTo(500);
    }

    @Test
    void seedRuleAcceptsTheDocumentedTriggerUrl() throws IOException {
        ReceiverSpec seed = assertValid(resource("seed001-hooks.json", JSON)).get(0);

        assertThat(triggers(seed, SEED_URL)).isTrue();
        assertThat(triggers(seed, seedUrlWith("net_type", "vpc"))).isTrue();
    }

    @Test
    void seedRuleRefusesAWrongTokenNamespaceOrMissingContainer() throws IOException {
        ReceiverSpec seed = assertValid(resource("seed001-hooks.json", JSON)).get(0);

        assertThat(triggers(seed, seedUrlWith("token", "guess"))).isFalse();
        assertThat(triggers(seed, seedUrlWith("token", null))).isFalse();
        assertThat(triggers(seed, seedUrlWith("ns", "kube-system"))).isFalse();
        assertThat(triggers(seed, seedUrlWith("workload", "daemonset/webhooks"))).isFalse();
        assertThat(triggers(seed, seedUrlWith("container", null))).isFalse();
    }

    @Test
    void readsAYamlHooksFile() throws IOException {
        JsonNode file;
        try (InputStream in = HookFileTest.class.getResourceAsStream("/hooks/hooks.yaml")) {
            file = HookFile.readHooks(in.readAllBytes());
        }

        assertThat(HookFile.looksLikeHookFile(file)).isTrue();
        List<ReceiverSpec> receivers = assertValid(file);

        assertThat(receivers).extracting(ReceiverSpec::id).containsExactly("github-main", "tagged");
        assertThat(receivers).extracting(ReceiverSpec::name).containsExactly("Redeploying on push to main", "tagged");
        assertThat(HookFile.mismatchStatus(file.get(0))).isEqualTo(403);
        assertThat(HookFile.mismatchStatus(file.get(1))).isZero();

        String body = "{\"ref\":\"refs/heads/main\"}";
        String signature = "sha256=ada57888dc0e55117d1f6ead423c0336870ef942017e1600ab69858e95414719";
        Map<String, String> headers = Map.of("x-hub-signature-256", signature, "content-type", "application/json");
        assertThat(matches(receivers.get(0), new HookRequest(Map.of(), headers, body.getBytes(StandardCharsets.UTF_8),
                "140.82.115.9"))).isTrue();
        assertThat(matches(receivers.get(0), new HookRequest(Map.of(), headers, body.getBytes(StandardCharsets.UTF_8),
                "203.0.113.9"))).isFalse();

        Map<String, String> json = Map.of("content-type", "application/json");
        assertThat(matches(receivers.get(1), new HookRequest(Map.of(), json,
                "{\"push_data\":{\"tag\":\"v1.25\"}}".getBytes(StandardCharsets.UTF_8), "10.0.0.1"))).isTrue();
        assertThat(matches(receivers.get(1), new HookRequest(Map.of(), json,
                "{\"push_data\":{\"tag\":\"latest\"}}".getBytes(StandardCharsets.UTF_8), "10.0.0.1"))).isFalse();
    }

    @Test
    void refusesAHookWithoutATriggerRule() throws IOException {
        assertThat(errors("[{'id':'open','execute-command':'/x.sh'}]"))
                .extracting(FieldError::field).containsExactly("[0].trigger-rule");
    }

    @Test
    void readsATabIndentedJsonFile() throws IOException {
        byte[] tabbed = "[\n\t{\n\t\t\"id\": \"a\",\n\t\t\"trigger-rule\": {\"match\": {\"type\": \"value\", \"value\": \"t\", \"parameter\": {\"source\": \"url\", \"name\": \"token\"}}}\n\t}\n]\n"
                .getBytes(StandardCharsets.UTF_8);

        assertThat(HookFile.looksLikeHookFile(HookFile.readTree(tabbed))).isTrue();
        assertThat(assertValid(HookFile.readHooks(tabbed))).extracting(ReceiverSpec::id).containsExactly("a");
    }

    @Test
    void servesTheOtherHooksOfAFileWithARefusedOne() throws Exception {
        String rule = "'trigger-rule':{'match':{'type':'value','value':'t','parameter':{'source':'url','name':'token'}}}";
        HookFile.Loaded loaded = HookFile.parse(json("[{'id':'open','execute-command':'/x.sh'},{'id':'ok'," + rule
                + "}]"), NOW);

        assertThat(loaded.served()).extracting(ReceiverSpec::id).containsExactly("ok");
        assertThat(loaded.refused()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("open");
            assertThat(r.errors()).extracting(FieldError::field).containsExactly("[0].trigger-rule");
        });
        assertThat(HookFile.load(json("[{'id':'ok'," + rule + "}]"), "hooks.json", NOW)).hasSize(1);
    }

    @Test
    void refusesAFileThatServesNoHook() {
        assertThatThrownBy(() -> HookFile.load(json("[{'id':'open','execute-command':'/x.sh'}]"), "hooks.json", NOW))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.errors())
                        .extracting(FieldError::field).containsExactly("[0].trigger-rule"));
    }

    @Test
    void refusesMissingBadAndDuplicateIds() throws IOException {
        String rule = "'trigger-rule':{'match':{'type':'value','value':'t','parameter':{'source':'url','name':'token'}}}";
        assertThat(errors("[{" + rule + "},{'id':'bad id'," + rule + "},{'id':'a'," + rule + "},{'id':'a'," + rule
                + "}]"))
                .extracting(FieldError::field).containsExactly("[0].id", "[1].id", "[3].id");
    }

    @Test
    void namesRuleProblemsByTheirPathInTheFile() throws IOException {
        assertThat(errors("[{'id':'a','trigger-rule':{'and':[{'match':{'type':'value','value':'t',"
                + "'parameter':{'source':'url','name':'token'}}},{'match':{'type':'glob'}}]}}]"))
                .extracting(FieldError::field).containsExactly("[0].trigger-rule.and[1].match.type");
    }

    @Test
    void refusesHttpMethodsWithoutPost() throws Exception {
        String rule = "'trigger-rule':{'match':{'type':'value','value':'t','parameter':{'source':'url','name':'token'}}}";
        assertThat(errors("[{'id':'a','http-methods':['GET']," + rule + "}]"))
                .extracting(FieldError::field).containsExactly("[0].http-methods");
        assertThat(HookFile.parse(json("[{'id':'a','http-methods':[' post ','GET']," + rule + "}]"), NOW).served())
                .hasSize(1);
    }

    @Test
    void takesAnUnquotedNumberAsAnId() throws IOException {
        JsonNode file = HookFile.readHooks(("- id: 42\n  trigger-rule:\n    match: {type: value, value: t, "
                + "parameter: {source: url, name: token}}\n").getBytes(StandardCharsets.UTF_8));

        assertThat(assertValid(file)).extracting(ReceiverSpec::id).containsExactly("42");
    }

    @Test
    void refusesWhatIsNotAListOfHooks() throws IOException {
        assertThat(errors("{'id':'a'}")).containsExactly(new FieldError("$", "must be a list of hooks"));
        assertThat(errors("['a']")).extracting(FieldError::field).containsExactly("[0]");
    }

    @Test
    void recognisesOnlyHookFiles() throws IOException {
        assertThat(HookFile.looksLikeHookFile(json("[{'id':'a','execute-command':'/x.sh'}]"))).isTrue();
        assertThat(HookFile.looksLikeHookFile(json("[{'id':'a','kind':'redeploy'}]"))).isFalse();
        assertThat(HookFile.looksLikeHookFile(json("{'receivers':[]}"))).isFalse();
        assertThat(HookFile.looksLikeHookFile(json("[]"))).isFalse();
    }

    private static List<ReceiverSpec> assertValid(JsonNode file) {
        try {
            HookFile.Loaded loaded = HookFile.parse(file, NOW);
            assertThat(loaded.refused()).isEmpty();
            return loaded.served();
        } catch (InvalidPayloadException e) {
            throw new AssertionError("hooks file should be valid: " + e.errors());
        }
    }
}
