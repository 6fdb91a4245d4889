package dev.winch.gateway.receiver;

import static dev.winch.gateway.Samples.lenient;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.event.EventCodec;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A receiver's {@code notify} routes: what is accepted, what is refused with its field path, how it is stored. */
class ReceiverNotifyTest {

    private static final String REDEPLOY = "'kind':'redeploy','redeploy':{'namespace':'demo',"
            + "'workload':'deployment/web','container':'web'}";

    @Test
    void acceptsRoutesWithOutcomesInAnyCaseStoredUpperCase() {
        ReceiverSpec spec = ReceiverValidatorTest.valid("{" + REDEPLOY + ",'notify':["
                + "{'channel':'ops-mail','outcomes':['failed','APPLIED']},{'channel':'team.chat_1'}]}").spec();

        assertThat(spec.notifyRoutes()).containsExactly(
                new ReceiverSpec.Notify("ops-mail", List.of("FAILED", "APPLIED")),
                new ReceiverSpec.Notify("team.chat_1", List.of()));
    }

    @Test
    void aReceiverWithoutRoutesHasNone() {
        assertThat(ReceiverValidatorTest.valid("{" + REDEPLOY + "}").spec().notifyRoutes()).isNull();
        assertThat(ReceiverValidatorTest.valid("{" + REDEPLOY + ",'notify':[]}").spec().notifyRoutes()).isNull();
    }

    @Test
    void refusesBadRoutesNamingEachField() {
        List<FieldError> errors = ReceiverValidatorTest.errors("{" + REDEPLOY + ",'notify':["
                + "{'channel':'-bad'},"
                + "{'channel':'ops-mail','outcomes':['FAILED','failed','DONE','UNKNOWN']},"
                + "{'channel':'ops-mail'},"
                + "{'outcomes':['FAILED'],'to':'x'},"
                + "'ops-mail']}");

        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder(
                "notify[0].channel",
                "notify[1].outcomes[1]", "notify[1].outcomes[2]", "notify[1].outcomes[3]",
                "notify[2].channel",
                "notify[3].to", "notify[3].channel",
                "notify[4]");
        assertThat(errors).filteredOn(e -> e.field().equals("notify[2].channel")).singleElement()
                .extracting(FieldError::message).asString().contains("already routed by notify[1]");
        assertThat(errors).filteredOn(e -> e.field().equals("notify[1].outcomes[2]")).singleElement()
                .extracting(FieldError::message).asString()
                .isEqualTo("must be one of APPLIED, NOOP, DUPLICATE, SKIPPED, FAILED");
    }

    @Test
    void refusesNotifyThatIsNotAList() {
        assertThat(ReceiverValidatorTest.rejected("{" + REDEPLOY + ",'notify':{'channel':'ops-mail'}}"))
                .containsExactly("notify");
    }

    @Test
    void storesRoutesInTheReceiverRecordTheNotifierReads() throws Exception {
        ObjectMapper json = EventCodec.mapper();
        ReceiverSpec spec = ReceiverValidatorTest.valid("{'id':'demo-web'," + REDEPLOY
                + ",'notify':[{'channel':'ops-mail','outcomes':['FAILED']}]}").spec();

        JsonNode stored = json.readTree(json.writeValueAsBytes(spec));

        assertThat(stored.get("id").asText()).isEqualTo("demo-web");
        assertThat(stored.get("notify")).isEqualTo(lenient("[{'channel':'ops-mail','outcomes':['FAILED']}]"));
        assertThat(json.readValue(json.writeValueAsBytes(spec), ReceiverSpec.class)).isEqualTo(spec);
    }

    @Test
    void routesComeFromTheReceiversFileToo() throws Exception {
        List<ReceiverSpec> specs = ReceiversFile.parse(lenient("{'receivers':[{'id':'demo-web'," + REDEPLOY
                + ",'notify':[{'channel':'ops-mail','outcomes':['FAILED']}]}]}"), Instant.EPOCH);

        assertThat(specs.get(0).notifyRoutes()).containsExactly(new ReceiverSpec.Notify("ops-mail", List.of("FAILED")));
    }
}
