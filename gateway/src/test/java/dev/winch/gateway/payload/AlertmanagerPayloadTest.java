package dev.winch.gateway.payload;

import static dev.winch.gateway.payload.PayloadSamples.rejectedFields;
import static dev.winch.gateway.payload.PayloadSamples.rejection;
import static dev.winch.gateway.payload.PayloadSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winch.gateway.payload.AlertmanagerPayload.Alert;
import dev.winch.gateway.payload.AlertmanagerPayload.AlertBatch;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertmanagerPayloadTest {

    private static final String UP_GROUP = "{}/{action=\"up\"}:{}";

    @Test
    void readsAFiringNotificationWithTwoScaleUpAlerts() throws Exception {
        AlertBatch batch = AlertmanagerPayload.read(sample("alertmanager-firing-up.json"));

        assertThat(batch.groupKey()).isEqualTo(UP_GROUP);
        assertThat(batch.receiver()).isEqualTo("webhook-receiver-up");
        assertThat(batch.status()).isEqualTo("firing");
        assertThat(batch.alerts()).hasSize(2).allSatisfy(alert -> {
            assertThat(alert.status()).isEqualTo("firing");
            assertThat(alert.labels()).containsEntry("action", "up").containsEntry("alertname", "CpuUsageSpike");
            assertThat(alert.annotations()).containsEntry("summary", "ADDITIONAL CONTAINERS NEEDED");
            assertThat(alert.endsAt()).as("Go's zero time means not ended").isNull();
        });
        Alert first = batch.alerts().get(0);
        assertThat(first.labels()).containsEntry("container_label_io_rancher_container_name", "Demo-testTarget-1");
        assertThat(first.startsAt()).isEqualTo(Instant.parse("2019-03-14T09:41:07.797Z"));
        assertThat(first.fingerprint()).isEqualTo("c470d2c20e7d38d1");
        assertThat(first.deliveryId())
                .isEqualTo(UP_GROUP + "|c470d2c20e7d38d1|firing|2019-03-14T09:41:07.797Z");
        assertThat(batch.alerts().get(1).deliveryId()).isNotEqualTo(first.deliveryId());
    }

    @Test
    void readsTheResolvedNotificationOfTheSameAlertsUnderOtherDeliveryIds() throws Exception {
        AlertBatch firing = AlertmanagerPayload.read(sample("alertmanager-firing-up.json"));
        AlertBatch resolved = AlertmanagerPayload.read(sample("alertmanager-resolved-up.json"));

        assertThat(resolved.status()).isEqualTo("resolved");
        assertThat(resolved.alerts()).extracting(Alert::fingerprint)
                .containsExactlyElementsOf(firing.alerts().stream().map(Alert::fingerprint).toList());
        assertThat(resolved.alerts().get(0).endsAt()).isEqualTo(Instant.parse("2019-03-14T09:52:37.797Z"));
        assertThat(resolved.alerts()).extracting(Alert::deliveryId)
                .doesNotContainAnyElementsOf(firing.alerts().stream().map(Alert::deliveryId).toList());
    }

    @Test
    void givesARetriedNotificationTheSameDeliveryIds() throws Exception {
        AlertBatch first = AlertmanagerPayload.read(sample("alertmanager-firing-up.json"));
        AlertBatch retry = AlertmanagerPayload.read(sample("alertmanager-firing-up.json"));
        assertThat(retry.alerts()).extracting(Alert::deliveryId)
                .containsExactlyElementsOf(first.alerts().stream().map(Alert::deliveryId).toList());
    }

    @Test
    void givesTheSameAlertFiringAgainLaterAnotherDeliveryId() throws Exception {
        ObjectNode again = sample("alertmanager-firing-up.json");
        ((ObjectNode) again.at("/alerts/0")).put("startsAt", "2019-03-14T13:02:11.000Z");
        assertThat(AlertmanagerPayload.read(again).alerts().get(0).deliveryId()).isNotEqualTo(
                AlertmanagerPayload.read(sample("alertmanager-firing-up.json")).alerts().get(0).deliveryId());
    }

    @Test
    void normalisesStartsAtToUtcSoTheDeliveryIdDoesNotDependOnTheAlertmanagersTimeZone() throws Exception {
        ObjectNode local = sample("alertmanager-firing-up.json");
        ((ObjectNode) local.at("/alerts/0")).put("startsAt", "2019-03-14T17:41:07.797+08:00");
        assertThat(AlertmanagerPayload.read(local).alerts().get(0).deliveryId()).isEqualTo(
                AlertmanagerPayload.read(sample("alertmanager-firing-up.json")).alerts().get(0).deliveryId());
    }

    @Test
    void readsAScaleDownAlert() throws Exception {
        AlertBatch batch = AlertmanagerPayload.read(sample("alertmanager-firing-down.json"));
        assertThat(batch.receiver()).isEqualTo("webhook-receiver-down");
        assertThat(batch.alerts()).singleElement().satisfies(alert -> {
            assertThat(alert.labels()).containsEntry("action", "down").containsEntry("alertname", "CpuUsageLow");
            assertThat(alert.deliveryId())
                    .isEqualTo("{}/{action=\"down\"}:{}|24eaf46907b091af|firing|2019-03-14T11:05:52.797Z");
        });
    }

    @Test
    void readsAPublishedV4SampleGroupedByAlertname() throws Exception {
        AlertBatch batch = AlertmanagerPayload.read(sample("alertmanager-probe-failure.json"));
        assertThat(batch.groupKey()).isEqualTo("{}/{severity=\"critical\"}:{alertname=\"ProbeFailure\"}");
        assertThat(batch.alerts()).singleElement().satisfies(alert -> {
            assertThat(alert.fingerprint()).isEqualTo("1a30ba71cca2921f");
            assertThat(alert.startsAt()).isEqualTo(Instant.parse("2023-02-06T13:08:45.828Z"));
        });
    }

    @Test
    void readsAlertsWithoutAnnotationsAsEmpty() throws Exception {
        ObjectNode body = sample("alertmanager-firing-down.json");
        ((ObjectNode) body.at("/alerts/0")).remove("annotations");
        assertThat(AlertmanagerPayload.read(body).alerts().get(0).annotations()).isEqualTo(Map.of());
    }

    @Test
    void rejectsAnotherVersionAndNothingElse() {
        ObjectNode body = sample("alertmanager-firing-up.json");
        body.put("version", "3");
        body.remove("alerts");
        InvalidPayloadException e = rejection(() -> AlertmanagerPayload.read(body));
        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("version");
            assertThat(error.message()).contains("'3'");
        });
    }

    @Test
    void rejectsAMissingVersion() {
        ObjectNode body = sample("alertmanager-firing-up.json");
        body.remove("version");
        assertThat(rejectedFields(() -> AlertmanagerPayload.read(body))).containsExactly("version");
    }

    @Test
    void rejectsMissingOrEmptyAlerts() {
        ObjectNode missing = sample("alertmanager-firing-up.json");
        missing.remove("alerts");
        ObjectNode empty = sample("alertmanager-firing-up.json");
        empty.putArray("alerts");
        assertThat(rejectedFields(() -> AlertmanagerPayload.read(missing))).containsExactly("alerts");
        assertThat(rejectedFields(() -> AlertmanagerPayload.read(empty))).containsExactly("alerts");
    }

    @Test
    void rejectsABadStatusAtItsAlert() {
        ObjectNode body = sample("alertmanager-firing-up.json");
        ((ArrayNode) body.get("alerts"))
                .add(body.at("/alerts/0").deepCopy());
        ((ObjectNode) body.at("/alerts/2")).put("status", "pending");
        assertThat(rejectedFields(() -> AlertmanagerPayload.read(body))).containsExactly("alerts[2].status");
    }

    @Test
    void rejectsABadGroupStatus() {
        ObjectNode body = sample("alertmanager-firing-up.json");
        body.put("status", "FIRING");
        assertThat(rejectedFields(() -> AlertmanagerPayload.read(body))).containsExactly("status");
    }

    @Test
    void rejectsUnparseableTimes() {
        ObjectNode body = sample("alertmanager-firing-up.json");
        ((ObjectNode) body.at("/alerts/0")).put("startsAt", "2019-03-14 09:41:07");
        ((ObjectNode) body.at("/alerts/1")).put("endsAt", "yesterday");
        assertThat(rejectedFields(() -> AlertmanagerPayload.read(body)))
                .containsExactly("alerts[0].startsAt", "alerts[1].endsAt");
    }

    @Test
    void rejectsAMissingFingerprintAndANonStringLabel() {
        ObjectNode body = sample("alertmanager-firing-up.json");
        ((ObjectNode) body.at("/alerts/0")).remove("fingerprint");
        ((ObjectNode) body.at("/alerts/1/labels")).put("replicas", 3);
        assertThat(rejectedFields(() -> AlertmanagerPayload.read(body)))
                .containsExactly("alerts[0].fingerprint", "alerts[1].labels.replicas");
    }

    @Test
    void reportsEveryProblemOfAnEmptyObject() {
        assertThat(rejectedFields(() -> AlertmanagerPayload.read(PayloadSamples.JSON.createObjectNode())))
                .containsExactly("version", "groupKey", "receiver", "status", "alerts");
    }
}
