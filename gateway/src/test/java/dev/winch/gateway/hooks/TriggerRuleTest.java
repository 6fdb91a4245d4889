package dev.winch.gateway.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TriggerRuleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    // RFC 2104 style vectors (as on Wikipedia's HMAC page): key "key", this message.
    private static final String FOX = "The quick brown fox jumps over the lazy dog";
    private static final String FOX_SHA1 = "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9";
    private static final String FOX_SHA256 = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
    private static final String FOX_SHA512 = "b42af09057bac1e2d41708e48a902e09b5ff7f12ab428a4fe86653c73dd248fb"
            + "82f948a549f7b791a5b41915ee4d1ec3935357e4e2317250d0372afa2ebeeb3a";

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** A body is sent as JSON: without a JSON Content-Type the tool, and a rule, do not read it. */
    static HookRequest request(Map<String, String> query, Map<String, String> headers, String body, String remote) {
        Map<String, String> withType = new java.util.HashMap<>(headers);
        if (!body.isEmpty()) {
            withType.putIfAbsent("Content-Type", "application/json");
        }
        return new HookRequest(query, withType, body.getBytes(StandardCharsets.UTF_8), remote);
    }

    static HookRequest query(Map<String, String> query) {
        return request(query, Map.of(), "", "10.0.0.1");
    }

    static TriggerRule compile(String rule) {
        try {
            return TriggerRule.compile(settings(rule), "[0]");
        } catch (InvalidPayloadException e) {
            throw new AssertionError("rule should be valid: " + e.errors());
        }
    }

    static JsonNode settings(String rule) {
        return TriggerRule.settings(json("{'trigger-rule':" + rule + "}"));
    }

    static TriggerRule.Verdict verdict(String rule, HookRequest request) {
        return compile(rule).evaluate(request);
    }

    static boolean matches(String rule, HookRequest request) {
        return verdict(rule, request) == TriggerRule.Verdict.MATCHED;
    }

    static TriggerRule compileSettings(JsonNode settings) {
        try {
            return TriggerRule.compile(settings, "[0]");
        } catch (InvalidPayloadException e) {
            throw new AssertionError("rule should be valid: " + e.errors());
        }
    }

    static String match(String type, String extra, String source, String name) {
        return "{'match':{'type':'" + type + "'," + extra + "'parameter':{'source':'" + source + "','name':'"
                + name + "'}}}";
    }

    static String hmac(String type, String header) {
        return match(type, "'secret':'key',", "header", header);
    }

    @Nested
    class Value {
        private final String rule = match("value", "'value':'s3cr3t',", "url", "token");

        @Test
        void matchesTheExactValue() {
            assertThat(matches(rule, query(Map.of("token", "s3cr3t")))).isTrue();
        }

        @Test
        void rejectsAnyOtherValue() {
            assertThat(matches(rule, query(Map.of("token", "s3cr3t ")))).isFalse();
            assertThat(matches(rule, query(Map.of("token", "S3CR3T")))).isFalse();
            assertThat(matches(rule, query(Map.of("token", "s3cr")))).isFalse();
        }

        @Test
        void treatsAMissingParameterAsNoMatch() {
            assertThat(matches(rule, query(Map.of()))).isFalse();
        }

        @Test
        void readsTheQueryAlias() {
            assertThat(matches(match("value", "'value':'a',", "query", "q"), query(Map.of("q", "a")))).isTrue();
        }
    }

    @Nested
    class Regex {
        private final String rule = match("regex", "'regex':'^refs/heads/(main|release-.+)$',", "payload", "ref");

        @Test
        void matchesWhenThePatternMatches() {
            assertThat(matches(rule, request(Map.of(), Map.of(), "{'ref':'refs/heads/release-1.2'}"
                    .replace('\'', '"'), "10.0.0.1"))).isTrue();
        }

        @Test
        void rejectsWhenItDoesNot() {
            assertThat(matches(rule, request(Map.of(), Map.of(), "{\"ref\":\"refs/heads/feature\"}", "10.0.0.1")))
                    .isFalse();
        }

        @Test
        void findsAnywhereInTheValueLikeGoMatchString() {
            assertThat(matches(match("regex", "'regex':'heads',", "url", "ref"),
                    query(Map.of("ref", "refs/heads/main")))).isTrue();
        }

        @Test
        void acceptsGoNamedGroupsAndPosixClasses() {
            String go = match("regex", "'regex':'^v(?P<major>[[:digit:]]+)\\\\.[[:digit:]]+$',", "url", "tag");
            assertThat(matches(go, query(Map.of("tag", "v1.25")))).isTrue();
            assertThat(matches(go, query(Map.of("tag", "v1.x")))).isFalse();
        }

        @Test
        void decidesAPatternThatBacktracksExponentiallyElsewhere() {
            // a classic that backtracks exponentially on java.util.regex; RE2 answers in linear time, so a not
            // over it is as decided as the pattern itself
            String evil = match("regex", "'regex':'^(.*?,){11}P',", "url", "q");
            String numbers = String.join(",", java.util.stream.IntStream.rangeClosed(1, 5000)
                    .mapToObj(Integer::toString).toList());
            assertThat(matches(evil, query(Map.of("q", "1,2,3,4,5,6,7,8,9,10,11,P")))).isTrue();
            assertThat(matches(evil, query(Map.of("q", numbers)))).isFalse();
            assertThat(matches("{'not':" + evil + "}", query(Map.of("q", numbers)))).isTrue();
        }

        @Test
        void followsGoNotJavaWhereTheyDiffer() {
            assertThat(matches(match("regex", "'regex':'^abc$',", "url", "v"), query(Map.of("v", "abc\n"))))
                    .isFalse();
            assertThat(matches(match("regex", "'regex':'^a.b$',", "url", "v"), query(Map.of("v", "a\rb"))))
                    .isTrue();
            assertThat(matches(match("regex", "'regex':'^a\\\\sb$',", "url", "v"), query(Map.of("v", "a\u000bb"))))
                    .isFalse();
        }
    }

    @Nested
    class Hmac {
        private HookRequest signed(String header, String signature) {
            return request(Map.of(), Map.of(header, signature), FOX, "10.0.0.1");
        }

        @Test
        void checksSha1WithAndWithoutPrefix() {
            String rule = hmac("payload-hmac-sha1", "X-Hub-Signature");
            assertThat(matches(rule, signed("X-Hub-Signature", "sha1=" + FOX_SHA1))).isTrue();
            assertThat(matches(rule, signed("X-Hub-Signature", FOX_SHA1))).isTrue();
            assertThat(matches(rule, signed("X-Hub-Signature", "sha1=" + FOX_SHA256.substring(0, 40)))).isFalse();
        }

        @Test
        void checksSha256WithThePrefix() {
            String rule = hmac("payload-hmac-sha256", "X-Hub-Signature-256");
            assertThat(matches(rule, signed("X-Hub-Signature-256", "sha256=" + FOX_SHA256))).isTrue();
            assertThat(matches(rule, signed("X-Hub-Signature-256", FOX_SHA256))).isTrue();
            assertThat(matches(rule, signed("X-Hub-Signature-256", "sha256=" + FOX_SHA256.replace('f', 'e'))))
                    .isFalse();
        }

        @Test
        void checksSha512() {
            String rule = hmac("payload-hmac-sha512", "X-Signature");
            assertThat(matches(rule, signed("X-Signature", "sha512=" + FOX_SHA512))).isTrue();
            assertThat(matches(rule, signed("X-Signature", FOX_SHA512))).isTrue();
            assertThat(verdict(rule, signed("X-Signature", FOX_SHA256))).isEqualTo(TriggerRule.Verdict.ERROR);
        }

        @Test
        void rejectsAWrongSecretOrATamperedBody() {
            String wrongSecret = match("payload-hmac-sha256", "'secret':'other',", "header", "X-Signature");
            assertThat(matches(wrongSecret, signed("X-Signature", FOX_SHA256))).isFalse();
            HookRequest tampered = request(Map.of(), Map.of("X-Signature", FOX_SHA256), FOX + ".", "10.0.0.1");
            assertThat(matches(hmac("payload-hmac-sha256", "X-Signature"), tampered)).isFalse();
        }

        @Test
        void acceptsAnyOfSeveralCommaSeparatedSignaturesWrittenAsTheToolWantsThem() {
            String rule = hmac("payload-hmac-sha256", "X-Signature");
            assertThat(matches(rule, signed("X-Signature", "sha256=" + "0".repeat(64) + ",sha256=" + FOX_SHA256)))
                    .isTrue();
            assertThat(verdict(rule, signed("X-Signature", "sha256=" + "0".repeat(64) + ",sha256=" + "1".repeat(64))))
                    .isEqualTo(TriggerRule.Verdict.ERROR);
            // the tool refuses these spellings, so Winch does
            assertThat(verdict(rule, signed("X-Signature", "sha256=" + "0".repeat(64) + ", sha256=" + FOX_SHA256)))
                    .isEqualTo(TriggerRule.Verdict.ERROR);
            assertThat(verdict(rule, signed("X-Signature", "sha256=" + FOX_SHA256.toUpperCase())))
                    .isEqualTo(TriggerRule.Verdict.ERROR);
            assertThat(verdict(rule, signed("X-Signature", "SHA256=" + FOX_SHA256)))
                    .isEqualTo(TriggerRule.Verdict.ERROR);
        }

        @Test
        void failsTheWholeRuleOnAWrongSignatureUnlessSoftFailuresAreSet() {
            String rule = "{'or':[" + hmac("payload-hmac-sha256", "X-Signature") + ","
                    + match("value", "'value':'t',", "url", "token") + "]}";
            HookRequest wrong = request(Map.of("token", "t"), Map.of("X-Signature", "sha256=" + "0".repeat(64)), FOX,
                    "10.0.0.1");
            assertThat(verdict(rule, wrong)).isEqualTo(TriggerRule.Verdict.ERROR);
            assertThat(verdict("{'not':" + hmac("payload-hmac-sha256", "X-Signature") + "}", wrong))
                    .isEqualTo(TriggerRule.Verdict.ERROR);

            JsonNode soft = json("{'trigger-rule':" + rule + ",'trigger-signature-soft-failures':true}");
            assertThat(compileSettings(soft).evaluate(wrong)).isEqualTo(TriggerRule.Verdict.MATCHED);
        }

        @Test
        void treatsTheDeprecatedHashNamesAsHmac() {
            assertThat(matches(hmac("payload-hash-sha1", "X-Hub-Signature"),
                    signed("X-Hub-Signature", "sha1=" + FOX_SHA1))).isTrue();
        }

        @Test
        void treatsAMissingSignatureAsNoMatch() {
            assertThat(matches(hmac("payload-hmac-sha256", "X-Signature"), signed("X-Other", FOX_SHA256))).isFalse();
        }

        @Test
        void signsTheBodyAloneAsWebhook28Does() {
            // headers-to-add-to-signature-payload came after 2.8, which reads past it
            String rule = "{'match':{'type':'payload-hmac-sha256','secret':'key','parameter':{'source':'header',"
                    + "'name':'X-Signature','headers-to-add-to-signature-payload':['X-Tail']}}}";
            assertThat(matches(rule, request(Map.of(), Map.of("X-Signature", FOX_SHA256, "X-Tail", " x"), FOX,
                    "10.0.0.1"))).isTrue();
        }
    }

    @Nested
    class IpWhitelist {
        private boolean from(String range, String remote) {
            return matches("{'match':{'type':'ip-whitelist','ip-range':'" + range + "'}}",
                    request(Map.of(), Map.of(), "", remote));
        }

        @Test
        void acceptsAnIpv4AddressInsideTheRange() {
            assertThat(from("192.168.0.1/24", "192.168.0.77")).isTrue();
        }

        @Test
        void rejectsAnIpv4AddressOutsideTheRange() {
            assertThat(from("192.168.0.1/24", "192.168.1.77")).isFalse();
        }

        @Test
        void acceptsAnIpv6AddressInsideTheRange() {
            assertThat(from("2001:db8::/32", "2001:db8:1::5")).isTrue();
        }

        @Test
        void rejectsAnIpv6AddressOutsideTheRange() {
            assertThat(from("2001:db8::/32", "2001:db9::5")).isFalse();
        }

        @Test
        void treatsABareAddressAsOneHostAndAcceptsSeveralRanges() {
            assertThat(from("10.1.2.3", "10.1.2.3")).isTrue();
            assertThat(from("10.1.2.3", "10.1.2.4")).isFalse();
            assertThat(from("10.0.0.0/8 2001:db8::/32", "2001:db8::1")).isTrue();
        }
    }

    @Nested
    class Sources {
        private final String body = "{\"repository\":{\"repo_name\":\"winch/gateway\",\"owner\":{\"name\":\"ops\"}},"
                + "\"commits\":[{\"id\":\"abc123\",\"added\":[\"a.txt\"]},{\"id\":\"def456\"}],"
                + "\"push_data\":{\"tag\":\"v2\",\"size\":42,\"private\":false},\"a.b\":\"literal\"}";

        private boolean payload(String name, String value) {
            return matches(match("value", "'value':'" + value + "',", "payload", name),
                    request(Map.of(), Map.of(), body, "10.0.0.1"));
        }

        @Test
        void readsANestedPayloadPath() {
            assertThat(payload("repository.repo_name", "winch/gateway")).isTrue();
            assertThat(payload("repository.owner.name", "ops")).isTrue();
        }

        @Test
        void indexesListsWithNumericSegments() {
            assertThat(payload("commits.0.id", "abc123")).isTrue();
            assertThat(payload("commits.1.id", "def456")).isTrue();
            assertThat(payload("commits.0.added.0", "a.txt")).isTrue();
        }

        @Test
        void treatsAPathThatLeadsNowhereAsNoMatch() {
            assertThat(payload("commits.2.id", "abc123")).isFalse();
            assertThat(payload("commits.x.id", "abc123")).isFalse();
            assertThat(payload("repository.missing", "x")).isFalse();
        }

        @Test
        void rendersNumbersBooleansAndKeysWithDots() {
            assertThat(payload("push_data.size", "42")).isTrue();
            assertThat(payload("push_data.private", "false")).isTrue();
            assertThat(payload("a.b", "literal")).isTrue();
        }

        @Test
        void putsATopLevelListUnderRoot() {
            assertThat(matches(match("value", "'value':'x',", "payload", "root.0.id"),
                    request(Map.of(), Map.of(), "[{\"id\":\"x\"}]", "10.0.0.1"))).isTrue();
        }

        @Test
        void treatsAnAbsentPayloadAsNoMatch() {
            assertThat(verdict(match("value", "'value':'x',", "payload", "id"), query(Map.of())))
                    .isEqualTo(TriggerRule.Verdict.NOT_MATCHED);
        }

        @Test
        void readsTheQueryAsSentAsGoDoes() {
            String rule = match("value", "'value':'x',", "url", "t");
            assertThat(matches(rule, new HookRequest(Map.of("t", "x"), Map.of(), new byte[0], "10.0.0.1", "t=x;u=1",
                    0))).isFalse();
            assertThat(matches(rule, new HookRequest(Map.of(), Map.of(), new byte[0], "10.0.0.1", "u=1;v&t=x", 0)))
                    .isTrue();
        }

        @Test
        void readsHeadersWhateverTheirCase() {
            String rule = match("value", "'value':'push',", "header", "X-GitHub-Event");
            assertThat(matches(rule, request(Map.of(), Map.of("x-github-event", "push"), "", "10.0.0.1"))).isTrue();
            assertThat(matches(rule, request(Map.of(), Map.of("X-GITHUB-EVENT", "push"), "", "10.0.0.1"))).isTrue();
            assertThat(matches(match("value", "'value':'push',", "header", "x-github-event"),
                    request(Map.of(), Map.of("X-GitHub-Event", "push"), "", "10.0.0.1"))).isTrue();
        }

        @Test
        void readsTheRequestMethodAndRemoteAddress() {
            assertThat(matches(match("value", "'value':'POST',", "request", "method"), query(Map.of()))).isTrue();
            // as Go's r.RemoteAddr: with the port
            HookRequest from = new HookRequest(Map.of(), Map.of(), new byte[0], "10.0.0.1", "", 40123);
            assertThat(matches(match("value", "'value':'10.0.0.1:40123',", "request", "remote-addr"), from)).isTrue();
            assertThat(matches(match("value", "'value':'10.0.0.1',", "request", "remote-addr"), from)).isFalse();
            HookRequest v6 = new HookRequest(Map.of(), Map.of(), new byte[0], "2001:db8::1", "", 443);
            assertThat(matches(match("value", "'value':'[2001:db8::1]:443',", "request", "remote-addr"), v6))
                    .isTrue();
        }
    }

    @Nested
    class Combinations {
        private final String token = match("value", "'value':'t',", "url", "token");
        private final String ns = match("value", "'value':'prod',", "url", "ns");
        private final String staging = match("value", "'value':'staging',", "url", "ns");

        @Test
        void andNeedsEveryRule() {
            String rule = "{'and':[" + token + "," + ns + "]}";
            assertThat(matches(rule, query(Map.of("token", "t", "ns", "prod")))).isTrue();
            assertThat(matches(rule, query(Map.of("token", "t", "ns", "dev")))).isFalse();
        }

        @Test
        void orNeedsAnyRule() {
            String rule = "{'or':[" + ns + "," + staging + "]}";
            assertThat(matches(rule, query(Map.of("ns", "staging")))).isTrue();
            assertThat(matches(rule, query(Map.of("ns", "dev")))).isFalse();
            assertThat(matches(rule, query(Map.of()))).isFalse();
        }

        @Test
        void notInvertsItsRuleIncludingAMissingParameter() {
            String rule = "{'not':" + staging + "}";
            assertThat(matches(rule, query(Map.of("ns", "staging")))).isFalse();
            assertThat(matches(rule, query(Map.of("ns", "prod")))).isTrue();
            assertThat(matches(rule, query(Map.of()))).isTrue();
        }

        @Test
        void nestsAndOrNot() {
            String rule = "{'and':[" + token + ",{'or':[" + ns + ",{'not':" + staging + "}]}]}";
            assertThat(matches(rule, query(Map.of("token", "t", "ns", "prod")))).isTrue();
            assertThat(matches(rule, query(Map.of("token", "t", "ns", "dev")))).isTrue();
            assertThat(matches(rule, query(Map.of("token", "t", "ns", "staging")))).isFalse();
            assertThat(matches(rule, query(Map.of("token", "x", "ns", "prod")))).isFalse();
        }

        @Test
        void matchesANotOverAMissingParameterOnlyWhereTheToolDoes() {
            // the missing parameter stays an error beside the inverted result: the top accepts it, an and does not
            String notBoth = "{'not':{'and':[" + ns + "," + staging + "]}}";
            assertThat(matches(notBoth, query(Map.of("token", "t")))).isTrue();
            assertThat(matches("{'and':[" + token + "," + notBoth + "]}", query(Map.of("token", "t")))).isFalse();
            assertThat(matches("{'or':[" + notBoth + "]}", query(Map.of("token", "t")))).isTrue();
        }
    }

    @Nested
    class Validation {
        private java.util.List<FieldError> errors(String rule) {
            try {
                TriggerRule.compile(settings(rule), "[0]");
            } catch (InvalidPayloadException e) {
                return e.errors().stream().map(err -> new FieldError(err.field().substring("[0].".length()),
                        err.message())).toList();
            }
            throw new AssertionError("expected the rule to be refused: " + rule);
        }

        @Test
        void namesAnUnknownMatchTypeByItsPath() {
            String rule = "{'and':[" + match("value", "'value':'t',", "url", "token") + ","
                    + match("glob", "", "url", "ns") + "]}";
            assertThat(errors(rule)).extracting(FieldError::field).containsExactly("trigger-rule.and[1].match.type");
        }

        @Test
        void namesAMissingParameter() {
            assertThat(errors("{'or':[{'match':{'type':'value','value':'x'}}]}"))
                    .extracting(FieldError::field).containsExactly("trigger-rule.or[0].match.parameter");
        }

        @Test
        void refusesAndOrWithoutAList() {
            assertThat(errors("{'and':" + match("value", "'value':'t',", "url", "token") + "}"))
                    .containsExactly(new FieldError("trigger-rule.and", "must be a list of rules"));
            assertThat(errors("{'or':'x'}")).extracting(FieldError::field).containsExactly("trigger-rule.or");
            assertThat(errors("{'not':[]}")).extracting(FieldError::field).containsExactly("trigger-rule.not");
        }

        @Test
        void refusesAnEmptyAnd() {
            assertThat(errors("{'and':[]}")).extracting(FieldError::field).containsExactly("trigger-rule.and");
        }

        @Test
        void reportsEveryProblemAtOnce() {
            String rule = "{'and':[{'match':{'type':'regex','regex':'(','parameter':{'source':'url'}}},"
                    + "{'match':{'type':'payload-hmac-sha256','parameter':{'source':'body','name':'x'}}},"
                    + "{'match':{'type':'ip-whitelist','ip-range':'10.0.0.0/33'}},"
                    + "{'match':{'type':'value','value':8080,'parameter':{'source':'url','name':'port'}}},"
                    + "{'not':{'match':{'type':'value','value':'x','parameter':{'source':'request','name':'path'}}}},"
                    + "{'match':{'type':'value','value':'x','parameter':{'source':'entire-payload'}}},"
                    + "{'match':{'type':'value','vaule':'x','parameter':{'source':'url','name':'a'}}},"
                    + "{'or':[],'and':[]}]}";
            // and[3] (a number where text is expected) is read as the tool reads it, "8080"; the misspelt
            // "vaule" is read past as the tool does, which leaves and[6] without its value
            assertThat(errors(rule)).extracting(FieldError::field).containsExactly(
                    "trigger-rule.and[0].match.parameter.name",
                    "trigger-rule.and[0].match.regex",
                    "trigger-rule.and[1].match.parameter.source",
                    "trigger-rule.and[1].match.secret",
                    "trigger-rule.and[2].match.ip-range",
                    "trigger-rule.and[4].not.match.parameter.name",
                    "trigger-rule.and[5].match.parameter.source",
                    "trigger-rule.and[6].match.value",
                    "trigger-rule.and[7]");
        }

        @Test
        void refusesScalrSignatureAndUnknownRuleKeys() {
            assertThat(errors("{'match':{'type':'scalr-signature','secret':'s'}}"))
                    .extracting(FieldError::field).containsExactly("trigger-rule.match.type");
            assertThat(errors("{'any':[]}")).extracting(FieldError::field).containsExactly("trigger-rule");
        }

        @Test
        void readsNumbersAndBooleansAsTheirTextAsTheToolDoes() {
            assertThat(matches("{'match':{'type':'value','value':8080,'parameter':{'source':'url','name':'p'}}}",
                    query(Map.of("p", "8080")))).isTrue();
            assertThat(matches("{'match':{'type':'value','value':1.10,'parameter':{'source':'url','name':'p'}}}",
                    query(Map.of("p", "1.1")))).isTrue();
            assertThat(matches("{'match':{'type':'value','value':true,'parameter':{'source':'url','name':'p'}}}",
                    query(Map.of("p", "true")))).isTrue();
        }

        @Test
        void refusesARuleThatIsNotAnObject() {
            assertThatThrownBy(() -> TriggerRule.compile(settings("'x'"), "[0]"))
                    .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.errors())
                            .extracting(FieldError::field).containsExactly("[0].trigger-rule"));
        }
    }
}
