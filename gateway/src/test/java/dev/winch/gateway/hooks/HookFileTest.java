package dev.winch.gateway.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
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

    private static boolean triggers(ReceiverSpec receiver, Map<String, String> query) throws IOException {
        return TriggerRules.matches(receiver.auth().triggerRule(),
                new HookRequest(query, Map.of("Content-Type", "application/json"),
                        DOCKER_HUB_PUSH.getBytes(StandardCharsets.UTF_8), "10.42.0.7"),
                JSON.readTree(DOCKER_HUB_PUSH));
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

    private static List<FieldError> errors(String hooks) throws IOException {
        try {
            HookFile.parse(json(hooks), NOW);
        } catch (InvalidPayloadException e) {
            return e.errors();
        }
        throw new AssertionError("expected the hooks file to be refused: " + hooks);
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
            assertThat(r.auth().triggerRule()).isEqualTo(file.get(0).get("trigger-rule"));
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
        JsonNode file = resource("hooks.yaml", new YAMLMapper());

        assertThat(HookFile.looksLikeHookFile(file)).isTrue();
        List<ReceiverSpec> receivers = assertValid(file);

        assertThat(receivers).extracting(ReceiverSpec::id).containsExactly("github-main", "tagged");
        assertThat(receivers).extracting(ReceiverSpec::name).containsExactly("Redeploying on push to main", "tagged");
        assertThat(HookFile.mismatchStatus(file.get(0))).isEqualTo(403);
        assertThat(HookFile.mismatchStatus(file.get(1))).isZero();

        String body = "{\"ref\":\"refs/heads/main\"}";
        String signature = "sha256=ada57888dc0e55117d1f6ead423c0336870ef942017e1600ab69858e95414719";
        JsonNode rule = receivers.get(0).auth().triggerRule();
        assertThat(TriggerRules.matches(rule, new HookRequest(Map.of(), Map.of("x-hub-signature-256", signature),
                body.getBytes(StandardCharsets.UTF_8), "140.82.115.9"), JSON.readTree(body))).isTrue();
        assertThat(TriggerRules.matches(rule, new HookRequest(Map.of(), Map.of("x-hub-signature-256", signature),
                body.getBytes(StandardCharsets.UTF_8), "203.0.113.9"), JSON.readTree(body))).isFalse();

        JsonNode tagged = receivers.get(1).auth().triggerRule();
        assertThat(TriggerRules.matches(tagged, new HookRequest(Map.of(), Map.of(), new byte[0], "10.0.0.1"),
                json("{'push_data':{'tag':'v1.25'}}"))).isTrue();
        assertThat(TriggerRules.matches(tagged, new HookRequest(Map.of(), Map.of(), new byte[0], "10.0.0.1"),
                json("{'push_data':{'tag':'latest'}}"))).isFalse();
    }

    @Test
    void refusesAHookWithoutATriggerRule() throws IOException {
        assertThat(errors("[{'id':'open','execute-command':'/x.sh'}]"))
                .extracting(FieldError::field).containsExactly("[0].trigger-rule");
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
        assertThat(HookFile.parse(json("[{'id':'a','http-methods':[' post ','GET']," + rule + "}]"), NOW))
                .hasSize(1);
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
            return HookFile.parse(file, NOW);
        } catch (InvalidPayloadException e) {
            throw new AssertionError("hooks file should be valid: " + e.errors());
        }
    }
}
