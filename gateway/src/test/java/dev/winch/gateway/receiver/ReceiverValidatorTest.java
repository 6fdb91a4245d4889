package dev.winch.gateway.receiver;

import static dev.winch.gateway.Samples.lenient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.winch.common.event.EventCodec;
import dev.winch.gateway.auth.Tokens;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ReceiverValidatorTest {

    private static final Instant CREATED = Instant.parse("2024-05-01T10:00:00Z");
    private static final Instant LATER = Instant.parse("2024-05-02T10:00:00Z");

    static ReceiverValidator.Validated valid(String json) {
        try {
            return ReceiverValidator.validate(lenient(json), null, null, "api", CREATED);
        } catch (InvalidPayloadException e) {
            throw new AssertionError("should be valid: " + e.errors());
        }
    }

    /** The field paths of every problem, in the order reported. */
    static List<String> rejected(String json) {
        return errors(json).stream().map(FieldError::field).toList();
    }

    static List<FieldError> errors(String json) {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class,
                () -> ReceiverValidator.validate(lenient(json), null, null, "api", CREATED));
        assertThat(e).as("expected %s to be rejected", json).isNotNull();
        return e.errors();
    }

    @Nested
    class EveryKind {

        @Test
        void acceptsAScaleServiceOfANamedWorkloadWithDefaults() {
            ReceiverSpec spec = valid("""
                    {'id':'web-up','name':'Scale web up','kind':'scaleService',
                     'scaleService':{'namespace':'demo','workload':'deployment/web','action':'up','max':5}}
                    """).spec();

            assertThat(spec.id()).isEqualTo("web-up");
            assertThat(spec.name()).isEqualTo("Scale web up");
            assertThat(spec.kind()).isEqualTo(ReceiverSpec.Kind.SCALE_SERVICE);
            assertThat(spec.scaleService()).isEqualTo(
                    new ReceiverSpec.ScaleService("demo", "deployment/web", null, "up", 1, 0, 5, 0, "ignore"));
            assertThat(spec.scaleHost()).isNull();
            assertThat(spec.origin()).isEqualTo("api");
            assertThat(spec.createdAt()).isEqualTo(CREATED);
            assertThat(spec.updatedAt()).isEqualTo(CREATED);
        }

        @Test
        void acceptsAScaleServiceOfALabelSelector() {
            ReceiverSpec.ScaleService s = valid("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo','selector':{'app':'web','tier':''},
                     'action':'down','amount':2,'min':1,'max':10,'cooldownSeconds':60,'onResolved':'up'}}
                    """).spec().scaleService();

            assertThat(s.workload()).isNull();
            assertThat(s.selector()).containsExactly(Map.entry("app", "web"), Map.entry("tier", ""));
            assertThat(s.action()).isEqualTo("down");
            assertThat(s.amount()).isEqualTo(2);
            assertThat(s.min()).isEqualTo(1);
            assertThat(s.cooldownSeconds()).isEqualTo(60);
            assertThat(s.onResolved()).isEqualTo("up");
        }

        @Test
        void acceptsAStatefulSetAsScalable() {
            assertThat(valid("""
                    {'kind':'scaleService','scaleService':{'namespace':'db','workload':'statefulset/pg',
                     'action':'up','max':3}}
                    """).spec().scaleService().workload()).isEqualTo("statefulset/pg");
        }

        @Test
        void acceptsAScaleHostWithDefaults() {
            ReceiverSpec spec = valid("""
                    {'kind':'scaleHost','scaleHost':{'hostSelector':{'winch.dev/group':'workers'},
                     'action':'up','max':8}}
                    """).spec();

            assertThat(spec.kind()).isEqualTo(ReceiverSpec.Kind.SCALE_HOST);
            assertThat(spec.scaleHost()).isEqualTo(new ReceiverSpec.ScaleHost(
                    Map.of("winch.dev/group", "workers"), "up", 1, 0, 8, "mostRecent", "ignore"));
        }

        @Test
        void acceptsAServiceUpgradeWithDefaults() {
            ReceiverSpec.ServiceUpgrade s = valid("""
                    {'kind':'serviceUpgrade','serviceUpgrade':{'tag':'latest','serviceSelector':{'app':'web'}}}
                    """).spec().serviceUpgrade();

            // no batch size, interval or start-first: the workloads keep their own update strategy
            assertThat(s).isEqualTo(new ReceiverSpec.ServiceUpgrade("latest", Map.of("app", "web"), List.of(), null,
                    null, null, "dockerhub", null, false, null, false));
        }

        @Test
        void acceptsAServiceUpgradeOfEveryRegistryFormat() {
            for (String format : List.of("dockerhub", "aliyun", "harbor", "quay", "registry", "custom")) {
                assertThat(valid("""
                        {'kind':'serviceUpgrade','serviceUpgrade':{'tag':'v1','serviceSelector':{'app':'web'},
                         'namespaces':['demo','prod'],'batchSize':2,'intervalSeconds':5,'startFirst':true,
                         'payloadFormat':'%s'}}
                        """.formatted(format)).spec().serviceUpgrade().payloadFormat()).isEqualTo(format);
            }
        }

        @Test
        void acceptsARedeployThatLeavesEverythingToTheTriggerUrl() {
            ReceiverSpec spec = valid("{'kind':'redeploy'}").spec();

            assertThat(spec.kind()).isEqualTo(ReceiverSpec.Kind.REDEPLOY);
            assertThat(spec.redeploy()).isEqualTo(new ReceiverSpec.Redeploy(null, null, null, null));
        }

        @Test
        void acceptsARedeployThatPinsItsTarget() {
            assertThat(valid("""
                    {'kind':'redeploy','redeploy':{'namespace':'demo','workload':'deployment/web',
                     'container':'web','repoType':'aliyun'}}
                    """).spec().redeploy())
                    .isEqualTo(new ReceiverSpec.Redeploy("demo", "deployment/web", "web", "aliyun"));
        }

        @Test
        void keepsAPerReceiverRateLimit() {
            assertThat(valid("""
                    {'kind':'redeploy','rateLimit':{'perSecond':0.5,'burst':3}}
                    """).spec().rateLimit()).isEqualTo(new ReceiverSpec.RateLimit(0.5, 3));
        }

        @Test
        void generatesAnIdWhenNoneIsGiven() {
            String id = valid("{'kind':'redeploy'}").spec().id();

            assertThat(ReceiverSpec.isId(id)).as(id).isTrue();
            assertThat(valid("{'kind':'redeploy'}").spec().id()).isNotEqualTo(id);
        }
    }

    @Nested
    class TagPolicies {

        @Test
        void aSemverPolicyNeedsNoFollowedTag() {
            ReceiverSpec.ServiceUpgrade s = valid("""
                    {'kind':'serviceUpgrade','serviceUpgrade':{'tagPolicy':'semver:minor','serviceSelector':{'app':'web'},
                     'pinDigest':true,'rolloutTimeoutSeconds':300,'rollbackOnFailure':true}}
                    """).spec().serviceUpgrade();

            assertThat(s.tag()).isNull();
            assertThat(s.tagPolicy()).isEqualTo("semver:minor");
            assertThat(s.pinDigest()).isTrue();
            assertThat(s.rolloutTimeoutSeconds()).isEqualTo(300);
            assertThat(s.rollbackOnFailure()).isTrue();
        }

        @Test
        void theExactPolicyNeedsTheTagItFollows() {
            assertThat(rejected("""
                    {'kind':'serviceUpgrade','serviceUpgrade':{'tagPolicy':'exact','serviceSelector':{'app':'web'}}}
                    """)).containsExactly("serviceUpgrade.tag");
        }

        @Test
        void rejectsAPolicyItCannotRead() {
            assertThat(rejected("""
                    {'kind':'serviceUpgrade','serviceUpgrade':{'tag':'v1','tagPolicy':'semver:huge',
                     'serviceSelector':{'app':'web'}}}
                    """)).containsExactly("serviceUpgrade.tagPolicy");
            assertThat(rejected("""
                    {'kind':'redeploy','redeploy':{'tagPolicy':'regexp:(unclosed'}}
                    """)).containsExactly("redeploy.tagPolicy");
        }

        @Test
        void rejectsARolloutTimeoutOfZero() {
            assertThat(rejected("""
                    {'kind':'serviceUpgrade','serviceUpgrade':{'tag':'v1','serviceSelector':{'app':'web'},
                     'rolloutTimeoutSeconds':0}}
                    """)).containsExactly("serviceUpgrade.rolloutTimeoutSeconds");
        }
    }

    @Nested
    class FieldErrors {

        @Test
        void rejectsMinNotBelowMax() {
            assertThat(rejected("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo','workload':'deployment/web',
                     'action':'up','min':5,'max':5}}
                    """)).containsExactly("scaleService.min");
            assertThat(rejected("""
                    {'kind':'scaleHost','scaleHost':{'hostSelector':{'g':'w'},'action':'up','min':9,'max':3}}
                    """)).containsExactly("scaleHost.min");
        }

        @Test
        void rejectsAnAmountOfZero() {
            List<FieldError> errors = errors("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo','workload':'deployment/web',
                     'action':'up','amount':0,'max':5}}
                    """);

            assertThat(errors).containsExactly(new FieldError("scaleService.amount", "must be between 1 and 10000"));
        }

        @Test
        void rejectsAnActionOtherThanUpOrDown() {
            assertThat(errors("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo','workload':'deployment/web',
                     'action':'sideways','max':5}}
                    """)).containsExactly(new FieldError("scaleService.action", "must be one of down, up"));
        }

        @Test
        void rejectsAMissingAction() {
            assertThat(rejected("""
                    {'kind':'scaleHost','scaleHost':{'hostSelector':{'g':'w'},'max':3}}
                    """)).containsExactly("scaleHost.action");
        }

        @Test
        void rejectsANamespaceThatKubernetesWouldRefuse() {
            assertThat(rejected("""
                    {'kind':'scaleService','scaleService':{'namespace':'Demo_NS','workload':'deployment/web',
                     'action':'up','max':5}}
                    """)).containsExactly("scaleService.namespace");
            assertThat(rejected("""
                    {'kind':'serviceUpgrade','serviceUpgrade':{'tag':'latest','serviceSelector':{'app':'web'},
                     'namespaces':['demo','-bad']}}
                    """)).containsExactly("serviceUpgrade.namespaces[1]");
        }

        @Test
        void rejectsRedeployNamesThatKubernetesWouldRefuse() {
            assertThat(rejected("""
                    {'kind':'redeploy','redeploy':{'namespace':'../kube-system','workload':'deployment/..',
                     'container':'../x'}}
                    """)).containsExactly("redeploy.namespace", "redeploy.workload", "redeploy.container");
            assertThat(rejected("""
                    {'kind':'redeploy','redeploy':{'namespace':'%s','workload':'deployment/%s','container':'WEB'}}
                    """.formatted("a".repeat(64), "a".repeat(254))))
                    .containsExactly("redeploy.namespace", "redeploy.workload", "redeploy.container");
        }

        @Test
        void refusesControlCharactersInsteadOfTrimmingThem() {
            assertThat(errors("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo\\u0000','workload':'deployment/web',
                     'action':'up','max':5}}
                    """)).containsExactly(new FieldError("scaleService.namespace", "must not contain control characters"));
            assertThat(rejected("""
                    {'kind':'serviceUpgrade','serviceUpgrade':{'tag':'latest','serviceSelector':{'app':'web'},
                     'namespaces':['demo\\n']}}
                    """)).containsExactly("serviceUpgrade.namespaces[0]");
        }

        @Test
        void checksSelectorLabelKeysAndValuesAsKubernetesDoes() {
            assertThat(rejected("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo','selector':{'app':'web/x',
                     'Example.com/tier':'db','ok':'%s','tier':'db'},'action':'up','max':5}}
                    """.formatted("v".repeat(64)))).containsExactly("scaleService.selector.app",
                    "scaleService.selector.Example.com/tier", "scaleService.selector.ok");
            assertThat(rejected("""
                    {'kind':'scaleHost','scaleHost':{'hostSelector':{'winch.dev/group':'-workers'},'action':'up',
                     'max':3}}
                    """)).containsExactly("scaleHost.hostSelector.winch.dev/group");
        }

        @Test
        void rejectsAWorkloadKindThatCannotBeScaled() {
            assertThat(errors("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo','workload':'daemonset/agent',
                     'action':'up','max':5}}
                    """)).containsExactly(new FieldError("scaleService.workload",
                    "only a deployment or a statefulset can be scaled"));
        }

        @Test
        void rejectsAWorkloadThatIsNotKindSlashName() {
            assertThat(rejected("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo','workload':'web',
                     'action':'up','max':5}}
                    """)).containsExactly("scaleService.workload");
        }

        @Test
        void rejectsBothWorkloadAndSelector() {
            assertThat(rejected("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo','workload':'deployment/web',
                     'selector':{'app':'web'},'action':'up','max':5}}
                    """)).containsExactly("scaleService.workload");
        }

        @Test
        void rejectsEveryBadCidrByItsIndex() {
            assertThat(rejected("""
                    {'kind':'redeploy','allowedCidrs':['10.0.0.0/8','10.0.0.0/33','example.com','2001:db8::/32']}
                    """)).containsExactly("allowedCidrs[1]", "allowedCidrs[2]");
        }

        @Test
        void rejectsAnUnknownField() {
            assertThat(errors("{'kind':'redeploy','tokn':'abcdefgh12'}"))
                    .containsExactly(new FieldError("tokn", "is not a receiver field"));
        }

        @Test
        void rejectsTheSectionOfAnotherKind() {
            assertThat(rejected("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo','workload':'deployment/web',
                     'action':'up','max':5},'scaleHost':{'hostSelector':{'g':'w'},'action':'up','max':3}}
                    """)).containsExactly("scaleHost");
        }

        @Test
        void rejectsAMissingSectionOfItsOwnKind() {
            assertThat(rejected("{'kind':'scaleService'}")).containsExactly("scaleService");
        }

        @Test
        void rejectsATokenShorterThanEightCharacters() {
            List<FieldError> errors = errors("{'kind':'redeploy','token':'short77'}");

            assertThat(errors).containsExactly(new FieldError("token", "at least 8 characters"));
            assertThat(errors.toString()).as("the token is not echoed").doesNotContain("short77");
        }

        @Test
        void rejectsAShortHmacSecret() {
            assertThat(rejected("{'kind':'redeploy','hmacSecret':'tiny'}")).containsExactly("hmacSecret");
        }

        @Test
        void rejectsAMissingOrUnknownKind() {
            assertThat(rejected("{'name':'x'}")).containsExactly("kind");
            assertThat(errors("{'kind':'scale'}")).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("kind");
                assertThat(e.message()).contains("scaleService", "scaleHost", "serviceUpgrade", "redeploy");
            });
        }

        @Test
        void rejectsABadIdAndABodyThatIsNotAnObject() {
            assertThat(rejected("{'id':'has space','kind':'redeploy'}")).containsExactly("id");
            assertThat(rejected("['kind']")).containsExactly("$");
        }

        @Test
        void rejectsAnUnfollowableTagAndAnUnknownPayloadFormat() {
            assertThat(rejected("""
                    {'kind':'serviceUpgrade','serviceUpgrade':{'tag':'-latest','serviceSelector':{'app':'web'},
                     'payloadFormat':'gcr'}}
                    """)).containsExactly("serviceUpgrade.tag", "serviceUpgrade.payloadFormat");
        }

        @Test
        void rejectsARedeployOfAReplicaSetAndAnUnknownRepoType() {
            assertThat(rejected("""
                    {'kind':'redeploy','redeploy':{'namespace':'demo','workload':'replicaset/web-5d8f',
                     'repoType':'gcr'}}
                    """)).containsExactly("redeploy.workload", "redeploy.repoType");
        }

        @Test
        void reportsEveryProblemAtOnce() {
            assertThat(rejected("""
                    {'kind':'scaleService','token':'short','extra':1,'allowedCidrs':['nope'],
                     'scaleService':{'namespace':'demo','workload':'daemonset/x','action':'sideways','amount':0,
                     'min':3,'max':2}}
                    """)).containsExactlyInAnyOrder("extra", "token", "allowedCidrs[0]", "scaleService.workload",
                    "scaleService.action", "scaleService.amount", "scaleService.min");
        }
    }

    @Nested
    class Secrets {

        @Test
        void generatesATokenWhenNeitherTokenNorSecretIsGiven() {
            ReceiverValidator.Validated validated = valid("{'kind':'redeploy'}");

            assertThat(validated.token()).hasValueSatisfying(token -> {
                assertThat(token).matches("[0-9a-f]{48}");
                assertThat(validated.spec().auth().tokenSha256()).isEqualTo(Tokens.sha256(token));
            });
            assertThat(valid("{'kind':'redeploy'}").token()).isNotEqualTo(validated.token());
        }

        @Test
        void keepsAGivenTokenOnlyAsItsHash() throws Exception {
            ReceiverValidator.Validated validated = valid("{'kind':'redeploy','token':'s3cret-token'}");

            assertThat(validated.token()).contains("s3cret-token");
            assertThat(validated.spec().auth().tokenSha256()).isEqualTo(Tokens.sha256("s3cret-token"));
            assertThat(EventCodec.mapper().writeValueAsString(validated.spec())).doesNotContain("s3cret-token");
        }

        @Test
        void generatesNoTokenForAnHmacOnlyReceiver() {
            ReceiverValidator.Validated validated = valid("{'kind':'redeploy','hmacSecret':'hmac-secret-1'}");

            assertThat(validated.token()).isEmpty();
            assertThat(validated.spec().auth().tokenSha256()).isNull();
            assertThat(validated.spec().auth().hmacSecret()).isEqualTo("hmac-secret-1");
        }
    }

    @Nested
    class Update {

        private final ReceiverSpec existing = valid("""
                {'id':'web-up','kind':'scaleService','token':'first-token','hmacSecret':'hmac-secret-1',
                 'scaleService':{'namespace':'demo','workload':'deployment/web','action':'up','max':5}}
                """).spec();

        private ReceiverValidator.Validated update(String json) throws InvalidPayloadException {
            return ReceiverValidator.validate(lenient(json), "web-up", existing, "api", LATER);
        }

        @Test
        void keepsTheTokenHashAndSecretWhenNoneAreGiven() throws Exception {
            ReceiverValidator.Validated updated = update("""
                    {'kind':'scaleService','scaleService':{'namespace':'demo','workload':'deployment/web',
                     'action':'up','max':9}}
                    """);

            assertThat(updated.token()).as("no new token is shown").isEmpty();
            assertThat(updated.spec().auth().tokenSha256()).isEqualTo(Tokens.sha256("first-token"));
            assertThat(updated.spec().auth().hmacSecret()).isEqualTo("hmac-secret-1");
            assertThat(updated.spec().scaleService().max()).isEqualTo(9);
            assertThat(updated.spec().id()).isEqualTo("web-up");
            assertThat(updated.spec().createdAt()).isEqualTo(CREATED);
            assertThat(updated.spec().updatedAt()).isEqualTo(LATER);
        }

        @Test
        void replacesTheTokenWhenANewOneIsGiven() throws Exception {
            ReceiverValidator.Validated updated = update("""
                    {'kind':'scaleService','token':'second-token','scaleService':{'namespace':'demo',
                     'workload':'deployment/web','action':'up','max':5}}
                    """);

            assertThat(updated.token()).contains("second-token");
            assertThat(updated.spec().auth().tokenSha256()).isEqualTo(Tokens.sha256("second-token"));
        }

        @Test
        void refusesToChangeTheKindOrTheId() {
            InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class, () -> update("""
                    {'id':'other','kind':'redeploy'}
                    """));

            assertThat(e.errors()).extracting(FieldError::field).containsExactly("id", "kind");
        }
    }
}
