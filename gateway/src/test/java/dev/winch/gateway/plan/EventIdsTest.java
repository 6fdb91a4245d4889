package dev.winch.gateway.plan;

import static dev.winch.gateway.Samples.json;
import static dev.winch.gateway.plan.TriggerPlannerTest.events;
import static dev.winch.gateway.plan.TriggerPlannerTest.plan;
import static dev.winch.gateway.plan.TriggerPlannerTest.receiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.WorkloadRef;
import dev.winch.gateway.payload.HookRequest;
import dev.winch.gateway.receiver.ReceiverSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The idempotency key without HTTP. The expected ids are the ones the gateway has always written for these deliveries
 * (name-based UUIDs of {@code receiverId + "\n" + deliveryId}): a change here would make every sender's retry after an
 * upgrade a new event.
 */
class EventIdsTest {

    private static final ReceiverSpec WEB_UP = receiver("""
            {'id':'web-up','kind':'scaleService','scaleService':{'namespace':'demo','workload':'deployment/web',
             'action':'up','amount':2,'min':1,'max':6}}
            """);
    private static final ReceiverSpec WEB_LATEST_REGISTRY = upgrade("registry", "0.01");
    private static final ReceiverSpec WEB_LATEST_HARBOR = upgrade("harbor", "latest");

    private static ReceiverSpec upgrade(String format, String tag) {
        return receiver("{'id':'web-latest','kind':'serviceUpgrade','serviceUpgrade':{'tag':'" + tag + "',"
                + "'serviceSelector':{'app':'web'},'payloadFormat':'" + format + "'}}");
    }

    private static HookRequest withHeaders(Map<String, String> headers) {
        return new HookRequest(Map.of(), headers, null, "192.0.2.10");
    }

    private static List<String> ids(ReceiverSpec receiver, HookRequest request, JsonNode body) {
        TriggerPlan.Events plan = events(plan(receiver, request, body));
        Optional<String> header = EventIds.deliveryHeader(request);
        return IntStream.range(0, plan.events().size()).mapToObj(i -> EventIds.of(receiver.id(), plan, i, header))
                .toList();
    }

    @Test
    void dockerHubRequestIdNamesTheEvent() {
        assertThat(ids(WEB_UP, withHeaders(Map.of("X-Request-Id", "5d4b7c1e-docker-hub")), null))
                .containsExactly("d68a46a6-6612-3323-bdab-ca70b94a90b2");
    }

    @Test
    void gitHubDeliveryNamesTheEvent() {
        assertThat(ids(WEB_UP, withHeaders(Map.of("X-GitHub-Delivery", "72d4a6f0-1b2c-11ef-9c7e-github")), null))
                .containsExactly("e418924d-3649-3241-a556-b9a4736101f4");
    }

    @Test
    void theRequestIdHeaderWinsOverTheOtherDeliveryHeaders() {
        assertThat(ids(WEB_UP, withHeaders(Map.of("x-request-id", "5d4b7c1e-docker-hub",
                "x-github-delivery", "72d4a6f0-1b2c-11ef-9c7e-github")), null))
                .containsExactly("d68a46a6-6612-3323-bdab-ca70b94a90b2");
    }

    @Test
    void registryNotificationEventIdNamesTheEventWhateverTheHeaderSays() {
        assertThat(ids(WEB_LATEST_REGISTRY, withHeaders(Map.of("X-Request-Id", "ignored")),
                json("registry-push.json"))).containsExactly("3ec5a4be-f45a-3ee7-9129-f757c287d8e5");
    }

    @Test
    void harborPushIsNamedByTypeTimeDigestAndTag() {
        assertThat(ids(WEB_LATEST_HARBOR, withHeaders(Map.of()), json("harbor-push.json")))
                .containsExactly("fc62d694-fb47-3f1c-963a-b40fa3f366aa");
    }

    @Test
    void eachAlertIsNamedByGroupKeyFingerprintStatusAndStart() {
        assertThat(ids(WEB_UP, withHeaders(Map.of()), json("alertmanager-firing-up.json")))
                .containsExactly("4f5dcc6c-ab7f-3ced-b4f4-27aeb7836de1", "de854cd8-add5-33a7-a72a-68e4d26c9872");
    }

    @Test
    void aHeaderNamingSeveralEventsIsQualifiedByEachEventsKey() {
        TriggerPlan.Events plan = new TriggerPlan.Events(List.of(scale("api"), scale("web")), List.of());

        assertThat(List.of(EventIds.of("batch-down", plan, 0, Optional.of("delivery-9")),
                EventIds.of("batch-down", plan, 1, Optional.of("delivery-9"))))
                .containsExactly("950e2515-de5c-389a-afc3-ab3e8770c96f", "b568e9b1-0bb0-3fd0-b26e-c3a422a9501b");
    }

    @Test
    void oneDeliveryToTwoReceiversMakesTwoEvents() {
        TriggerPlan.Events plan = new TriggerPlan.Events(List.of(scale("web")), List.of());

        assertThat(EventIds.of("web-up", plan, 0, Optional.of("5d4b7c1e-docker-hub")))
                .isEqualTo("d68a46a6-6612-3323-bdab-ca70b94a90b2")
                .isNotEqualTo(EventIds.of("web-up2", plan, 0, Optional.of("5d4b7c1e-docker-hub")));
    }

    @Test
    void withoutADeliveryIdEveryRequestGetsAFreshId() {
        List<String> first = ids(WEB_UP, withHeaders(Map.of()), null);
        List<String> second = ids(WEB_UP, withHeaders(Map.of()), null);

        assertThat(first).hasSize(1).doesNotContainAnyElementsOf(second);
        assertThat(first.get(0)).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    private static TriggerPlan.Planned scale(String workload) {
        return new TriggerPlan.Planned(null, new ServiceScaleRequested("batch-down",
                WorkloadRef.parse("jobs", "deployment/" + workload), ScaleAction.DOWN, 1, 0, 4, 0, null));
    }
}
