package dev.winch.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winch.common.event.EventDecodingException.Reason;
import dev.winch.common.event.ImagePushed.UpgradeTarget;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {

    private static final Instant NOW = Instant.parse("2025-06-03T08:15:30.123Z");

    private final EventCodec codec = new EventCodec();

    // ------------------------------------------------------------------ samples, one or more per event type

    static Stream<Event<?>> samples() {
        return Stream.of(
                event("/winch/gateway/hooks/aliyun-webhook", new ImagePushed("aliyun-webhook",
                        "registry.cn-shanghai.aliyuncs.com/rancher_cn/webhook", "v0.3.1",
                        "sha256:3b1f5e4a9c0d7e2f8a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f", "rancher_cn",
                        "aliyun", UpgradeTarget.explicit(new WorkloadRef("cattle-system", "deployment", "webhook"),
                                "webhook"))),
                event("/winch/gateway/hooks/iperf", new ImagePushed("iperf", "hongxiaolu/iperf3", "latest", null,
                        "hongxiaolu", "dockerhub", new UpgradeTarget(null, null,
                                Map.of("app", "iperf3", "tier", ""), List.of("perf", "perf-staging"), 1, 30, true))),
                event("/winch/gateway/hooks/demo-web", new ServiceScaleRequested("demo-web",
                        new WorkloadRef("shop", "deployment", "web"), ScaleAction.UP, 2, 1, 10, 120)),
                event("/winch/gateway/hooks/alertmanager-web", new ServiceScaleRequested("alertmanager-web", null,
                        ScaleAction.DOWN, 1, 2, 20, 300, new ServiceScaleRequested.WorkloadSelector("shop",
                                Map.of("app", "web", "tier", "frontend")))),
                event("/winch/gateway/hooks/alertmanager-hosts", new HostScaleRequested("alertmanager-hosts",
                        Map.of("pool", "workers", "zone", "cn-shanghai-b"), ScaleAction.DOWN, 1, 2, 8, "leastRecent")),
                event("/winch/scaler", new ActionResult("5d1c3a8e-7f2b-4e0a-9c61-2b8f0e4d7a13",
                        EventType.SERVICE_SCALE_REQUESTED.type(), "demo-web", "shop/deployment/web", Outcome.APPLIED,
                        "scaled shop/deployment/web from 2 to 4 replicas", Map.of("from", "2", "to", "4"),
                        NOW.minusMillis(850), NOW.minusMillis(20), "scaler")),
                event("/winch/notifier/k8s-events", new KubeEventObserved("8a0c6a5e-0c1b-4c1e-9f3a-6d2b7e9f1c44",
                        "shop", "Pod", "web-7d9f8b6c5-x2k4q", "BackOff",
                        "Back-off restarting failed container web in pod web-7d9f8b6c5-x2k4q", "Warning", 7,
                        Instant.parse("2025-06-03T08:01:02Z"), Instant.parse("2025-06-03T08:15:29Z"), "48213",
                        Map.of("kind", "Event", "reason", "BackOff",
                                "involvedObject", Map.of("kind", "Pod", "namespace", "shop")))));
    }

    private static <T extends WinchEvent> Event<T> event(String source, T data) {
        return new Event<>("evt-" + data.getClass().getSimpleName().toLowerCase(Locale.ROOT), URI.create(source), NOW,
                data);
    }

    @Test
    void samplesCoverEveryEventType() {
        assertThat(samples().map(Event::type).distinct())
                .containsExactlyInAnyOrder(EventType.values());
    }

    // ------------------------------------------------------------------ round trip

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("samples")
    void roundTripsEveryEventTypeThroughAKafkaRecord(Event<?> event) throws Exception {
        ProducerRecord<String, byte[]> record = codec.toRecord(event);

        Event<?> decoded = codec.fromRecord(consumed(record));

        assertThat(decoded).isEqualTo(event);
        assertThat(decoded.id()).isEqualTo(event.id());
        assertThat(decoded.source()).isEqualTo(event.source());
        assertThat(decoded.time()).isEqualTo(event.time());
        assertThat(decoded.type()).isEqualTo(event.type());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("samples")
    void writesABinaryModeCloudEventKeyedByThePartitionKeyToTheTypesTopic(Event<?> event) {
        ProducerRecord<String, byte[]> record = codec.toRecord(event);

        assertThat(record.topic()).isEqualTo(event.type().topic());
        assertThat(record.key()).isEqualTo(event.data().partitionKey());
        assertThat(header(record.headers(), "ce_id")).isEqualTo(event.id());
        assertThat(header(record.headers(), "ce_type")).isEqualTo(event.type().type());
        assertThat(header(record.headers(), "ce_source")).isEqualTo(event.source().toString());
        assertThat(header(record.headers(), "ce_specversion")).isEqualTo("1.0");
        assertThat(header(record.headers(), "ce_subject")).isEqualTo(event.key());
        assertThat(Instant.parse(header(record.headers(), "ce_time"))).isEqualTo(event.time());
        assertThat(header(record.headers(), "content-type")).isEqualTo("application/json");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).startsWith("{");
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("samples")
    void writesTheRecordTheCloudEventsKafkaWriterWrites(Event<?> event) {
        ProducerRecord<String, byte[]> sdk = KafkaMessageFactory.<String>createWriter(event.topic(), event.key())
                .writeBinary(codec.toCloudEvent(event));

        ProducerRecord<String, byte[]> ours = codec.toRecord(event);

        assertThat(ours.topic()).isEqualTo(sdk.topic());
        assertThat(ours.key()).isEqualTo(sdk.key());
        assertThat(ours.partition()).isEqualTo(sdk.partition());
        assertThat(ours.timestamp()).isEqualTo(sdk.timestamp());
        assertThat(ours.value()).isEqualTo(sdk.value());
        assertThat(headerList(ours.headers())).isEqualTo(headerList(sdk.headers()));
    }

    @Test
    void writesTimesAsTheCloudEventsWriterDoesWhateverTheirPrecision() {
        for (String time : List.of("2025-06-03T08:15:30Z", "2025-06-03T08:15:30.1Z", "2025-06-03T08:15:30.12Z",
                "2025-06-03T08:15:30.120Z", "2025-06-03T08:15:30.123456Z", "2025-06-03T08:15:30.000000001Z")) {
            Event<?> event = new Event<>("evt-time", URI.create("/winch/test"), Instant.parse(time),
                    scaleRequest("web"));
            ProducerRecord<String, byte[]> sdk = KafkaMessageFactory.<String>createWriter(event.topic(), event.key())
                    .writeBinary(codec.toCloudEvent(event));

            assertThat(header(codec.toRecord(event).headers(), "ce_time")).as(time)
                    .isEqualTo(header(sdk.headers(), "ce_time"));
        }
    }

    @Test
    void writesToTheTopicTheCallerChooses() throws Exception {
        Event<?> event = samples().findFirst().orElseThrow();

        ProducerRecord<String, byte[]> record = codec.toRecord("winch.replay", event);

        assertThat(record.topic()).isEqualTo("winch.replay");
        assertThat(codec.fromRecord(consumed(record))).isEqualTo(event);
    }

    @Test
    void keepsSubMillisecondTimes() throws Exception {
        Event<?> event = new Event<>("evt-nanos", URI.create("/winch/test"),
                Instant.parse("2025-06-03T08:15:30.123456789Z"), scaleRequest("web"));

        assertThat(codec.fromRecord(consumed(codec.toRecord(event))).time()).isEqualTo(event.time());
    }

    @Test
    void writesDataTimesAsIsoStrings() throws Exception {
        Event<?> event = samples().filter(e -> e.data() instanceof KubeEventObserved).findFirst().orElseThrow();

        ObjectNode json = dataOf(codec.toRecord(event));

        assertThat(json.get("firstSeen").asText()).isEqualTo("2025-06-03T08:01:02Z");
    }

    // ------------------------------------------------------------------ tolerance

    @Test
    void ignoresDataFieldsItDoesNotKnow() throws Exception {
        Event<?> event = samples().filter(e -> e.data() instanceof ServiceScaleRequested).findFirst().orElseThrow();
        ProducerRecord<String, byte[]> record = codec.toRecord(event);
        ObjectNode json = dataOf(record);
        json.put("priority", "high");
        json.putObject("annotations").put("added-by", "a newer gateway");
        ((ObjectNode) json.get("target")).put("apiGroup", "apps");

        Event<?> decoded = codec.fromRecord(consumed(record, toBytes(json)));

        assertThat(decoded).isEqualTo(event);
    }

    @Test
    void readsAnOutcomeItDoesNotKnowAsUnknown() throws Exception {
        Event<?> event = samples().filter(e -> e.data() instanceof ActionResult).findFirst().orElseThrow();
        ProducerRecord<String, byte[]> record = codec.toRecord(event);
        ObjectNode json = dataOf(record);
        json.put("outcome", "ROLLED_BACK");

        ActionResult decoded = codec.fromRecord(consumed(record, toBytes(json))).dataAs(ActionResult.class);

        assertThat(decoded.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(decoded.causeId()).isEqualTo(((ActionResult) event.data()).causeId());
    }

    @Test
    void acceptsAJsonContentTypeWithParameters() throws Exception {
        Event<?> event = samples().findFirst().orElseThrow();
        ProducerRecord<String, byte[]> record = codec.toRecord(event);
        Headers headers = replaceHeader(record.headers(), "content-type", "application/json; charset=utf-8");

        assertThat(codec.fromHeaders(headers, record.value())).isEqualTo(event);
    }

    // ------------------------------------------------------------------ rejection

    @Test
    void rejectsAPlainRecordAsNotACloudEvent() {
        ConsumerRecord<String, byte[]> plain = consumerRecord("some-key",
                "hello, not an event".getBytes(StandardCharsets.UTF_8), new RecordHeaders());

        assertThatThrownBy(() -> codec.fromRecord(plain))
                .isInstanceOfSatisfying(EventDecodingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_CLOUDEVENT));
    }

    @Test
    void rejectsAnUnknownSpecVersionAsNotACloudEvent() {
        ProducerRecord<String, byte[]> record = codec.toRecord(samples().findFirst().orElseThrow());
        Headers headers = replaceHeader(record.headers(), "ce_specversion", "2.0");

        assertDecodingFails(headers, record.value(), Reason.NOT_A_CLOUDEVENT);
    }

    @Test
    void rejectsAnEventOfAnUnknownType() {
        ProducerRecord<String, byte[]> record = codec.toRecord(samples().findFirst().orElseThrow());
        Headers headers = replaceHeader(record.headers(), "ce_type", "dev.winch.image.deleted");

        assertThatThrownBy(() -> codec.fromHeaders(headers, record.value()))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE);
                    assertThat(e.getMessage()).contains("dev.winch.image.deleted");
                });
    }

    @Test
    void rejectsDataThatIsNotJson() {
        ProducerRecord<String, byte[]> record = codec.toRecord(samples().findFirst().orElseThrow());
        Headers headers = replaceHeader(record.headers(), "content-type", "application/xml");

        assertDecodingFails(headers, "<push tag=\"v1\"/>".getBytes(StandardCharsets.UTF_8),
                Reason.UNSUPPORTED_CONTENT_TYPE);
    }

    @Test
    void rejectsMalformedJsonAsInvalidData() {
        ProducerRecord<String, byte[]> record = codec.toRecord(samples().findFirst().orElseThrow());

        assertDecodingFails(record.headers(), "{\"repository\": \"hongxiaolu/iperf3\", ".getBytes(StandardCharsets.UTF_8),
                Reason.INVALID_DATA);
    }

    @Test
    void rejectsDataMissingARequiredFieldAsInvalidData() throws Exception {
        ProducerRecord<String, byte[]> record = codec.toRecord(event("/winch/test", scaleRequest("web")));
        ObjectNode json = dataOf(record);
        json.remove("target");

        assertDecodingFails(record.headers(), toBytes(json), Reason.INVALID_DATA);
    }

    @Test
    void rejectsDataOfTheWrongShapeAsInvalidData() {
        ProducerRecord<String, byte[]> record = codec.toRecord(event("/winch/test", scaleRequest("web")));

        assertDecodingFails(record.headers(), "[1, 2, 3]".getBytes(StandardCharsets.UTF_8), Reason.INVALID_DATA);
    }

    @Test
    void rejectsAnEventWithoutDataAsInvalidData() {
        ProducerRecord<String, byte[]> record = codec.toRecord(event("/winch/test", scaleRequest("web")));

        assertDecodingFails(record.headers(), null, Reason.INVALID_DATA);
    }

    // ------------------------------------------------------------------ keys and refs

    @Test
    void hostScaleKeyIsTheSameWhateverTheSelectorOrder() {
        Map<String, String> zoneFirst = new LinkedHashMap<>();
        zoneFirst.put("zone", "cn-shanghai-b");
        zoneFirst.put("pool", "workers");
        zoneFirst.put("arch", "arm64");
        Map<String, String> poolFirst = new LinkedHashMap<>();
        poolFirst.put("pool", "workers");
        poolFirst.put("arch", "arm64");
        poolFirst.put("zone", "cn-shanghai-b");

        String a = new HostScaleRequested("r", zoneFirst, ScaleAction.UP, 1, 1, 5, "mostRecent").partitionKey();
        String b = new HostScaleRequested("r", poolFirst, ScaleAction.UP, 1, 1, 5, "mostRecent").partitionKey();

        assertThat(a).isEqualTo(b).isEqualTo("arch=arm64,pool=workers,zone=cn-shanghai-b");
    }

    @Test
    void hostScaleKeySurvivesTheRoundTrip() throws Exception {
        Event<?> event = samples().filter(e -> e.data() instanceof HostScaleRequested).findFirst().orElseThrow();

        ConsumerRecord<String, byte[]> consumed = consumed(codec.toRecord(event));

        assertThat(consumed.key()).isEqualTo("pool=workers,zone=cn-shanghai-b");
        assertThat(codec.fromRecord(consumed).key()).isEqualTo(consumed.key());
    }

    @Test
    void selectorScaleKeyIsCanonicalWithinItsNamespace() {
        Map<String, String> tierFirst = new LinkedHashMap<>();
        tierFirst.put("tier", "frontend");
        tierFirst.put("app", "web");

        ServiceScaleRequested request = new ServiceScaleRequested("r", null, ScaleAction.UP, 1, 1, 5, 0,
                new ServiceScaleRequested.WorkloadSelector("shop", tierFirst));

        assertThat(request.partitionKey()).isEqualTo("shop/selector:app=web,tier=frontend");
    }

    @Test
    void scaleRequestNamesEitherATargetOrASelector() {
        WorkloadRef web = new WorkloadRef("shop", "deployment", "web");
        ServiceScaleRequested.WorkloadSelector selector =
                new ServiceScaleRequested.WorkloadSelector("shop", Map.of("app", "web"));

        assertThatThrownBy(() -> new ServiceScaleRequested("r", null, ScaleAction.UP, 1, 1, 5, 0, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ServiceScaleRequested("r", web, ScaleAction.UP, 1, 1, 5, 0, selector))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resultWithoutTargetIsKeyedByItsCause() {
        ActionResult result = new ActionResult("cause-42", EventType.IMAGE_PUSHED.type(), null, null, Outcome.FAILED,
                "no workload matched", null, NOW, NOW, "upgrader");

        assertThat(result.partitionKey()).isEqualTo("cause-42");
        assertThat(result.details()).isEmpty();
    }

    @Test
    void parsesKindSlashNameInANamespace() {
        assertThat(WorkloadRef.parse("shop", "deployment/web"))
                .isEqualTo(new WorkloadRef("shop", "deployment", "web"))
                .hasToString("shop/deployment/web");
        assertThat(WorkloadRef.parse("db", "StatefulSet/postgres").kind()).isEqualTo("statefulset");
        assertThat(WorkloadRef.parse("kube-system", "daemonset/node-exporter").key())
                .isEqualTo("kube-system/daemonset/node-exporter");
        assertThat(WorkloadRef.parse("shop", "replicaset/web-7d9f8b6c5").name()).isEqualTo("web-7d9f8b6c5");
    }

    @Test
    void rejectsWorkloadsThatAreNotKindSlashName() {
        for (String bad : Arrays.asList("web", "/web", "deployment/", "deployment/web/extra", "/", "")) {
            assertThatThrownBy(() -> WorkloadRef.parse("shop", bad))
                    .as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("kind/name");
        }
    }

    @Test
    void rejectsWorkloadKindsItCannotScale() {
        assertThatThrownBy(() -> WorkloadRef.parse("shop", "pod/web"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deployment")
                .hasMessageContaining("'pod'");
    }

    @Test
    void rejectsAWorkloadWithoutNamespaceOrName() {
        assertThatThrownBy(() -> WorkloadRef.parse(null, "deployment/web"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace");
        assertThatThrownBy(() -> WorkloadRef.parse(" ", "deployment/web"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace");
        assertThatThrownBy(() -> WorkloadRef.parse("shop", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind/name");
    }

    // ------------------------------------------------------------------ helpers

    private static ServiceScaleRequested scaleRequest(String name) {
        return new ServiceScaleRequested("demo", new WorkloadRef("shop", "deployment", name), ScaleAction.UP, 1, 1, 3, 0);
    }

    private void assertDecodingFails(Headers headers, byte[] value, Reason reason) {
        assertThatThrownBy(() -> codec.fromHeaders(headers, value))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    /** What a consumer would read back after the producer wrote {@code record}. */
    static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> record) {
        return consumed(record, record.value());
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> record, byte[] value) {
        return new ConsumerRecord<>(record.topic(), 0, 42L, NOW.toEpochMilli(), TimestampType.CREATE_TIME,
                record.key() == null ? -1 : record.key().length(), value == null ? -1 : value.length,
                record.key(), value, new RecordHeaders(record.headers().toArray()), Optional.empty());
    }

    private static ConsumerRecord<String, byte[]> consumerRecord(String key, byte[] value, Headers headers) {
        return new ConsumerRecord<>("winch.service.scale", 0, 7L, NOW.toEpochMilli(), TimestampType.CREATE_TIME,
                key.length(), value.length, key, value, headers, Optional.empty());
    }

    private static Headers replaceHeader(Headers original, String key, String value) {
        Headers headers = new RecordHeaders(original.toArray());
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /** Every header as {@code name=value}, in order. */
    private static List<String> headerList(Headers headers) {
        return Arrays.stream(headers.toArray())
                .map(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8)).toList();
    }

    private static String header(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static ObjectNode dataOf(ProducerRecord<String, byte[]> record) throws Exception {
        return (ObjectNode) EventCodec.mapper().readTree(record.value());
    }

    private static byte[] toBytes(ObjectNode json) throws Exception {
        return EventCodec.mapper().writeValueAsBytes(json);
    }
}
