package dev.winch.gateway.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedriveRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RedriveRequest parse(String json) throws Exception {
        return RedriveRequest.parse(JSON.readTree(json.replace('\'', '"')));
    }

    private static List<String> fieldsOf(String json) throws Exception {
        JsonNode body = JSON.readTree(json.replace('\'', '"'));
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class,
                () -> RedriveRequest.parse(body));
        assertThat(e).as("%s is refused", json).isNotNull();
        assertThat(e.errors()).allSatisfy(error -> assertThat(error.message()).isNotBlank());
        return e.errors().stream().map(FieldError::field).toList();
    }

    @Test
    void oneRecordIsARangeOfOne() throws Exception {
        RedriveRequest request = parse("{'partition':2,'offset':41}");

        assertThat(request).isEqualTo(new RedriveRequest(2, 41, 41));
        assertThat(request.size()).isEqualTo(1);
    }

    @Test
    void aRangeIsInclusiveAndBounded() throws Exception {
        assertThat(parse("{'partition':0,'fromOffset':30,'toOffset':41}").size()).isEqualTo(12);
        assertThat(parse("{'partition':0,'fromOffset':0,'toOffset':499}").size()).isEqualTo(500);
        assertThat(fieldsOf("{'partition':0,'fromOffset':0,'toOffset':500}")).containsExactly("toOffset");
        assertThat(fieldsOf("{'partition':0,'fromOffset':9,'toOffset':8}")).containsExactly("toOffset");
    }

    @Test
    void everyBadFieldIsNamed() throws Exception {
        assertThat(fieldsOf("{'offset':1}")).containsExactly("partition");
        assertThat(fieldsOf("{'partition':-1,'offset':1}")).containsExactly("partition");
        assertThat(fieldsOf("{'partition':0}")).containsExactly("offset");
        assertThat(fieldsOf("{'partition':0,'offset':'7'}")).containsExactly("offset");
        assertThat(fieldsOf("{'partition':0,'offset':1.5}")).containsExactly("offset");
        assertThat(fieldsOf("{'partition':0,'fromOffset':3}")).containsExactly("toOffset");
        assertThat(fieldsOf("{'partition':0,'offset':1,'toOffset':3}")).containsExactly("offset");
        assertThat(fieldsOf("{'partition':0,'offset':1,'topic':'x'}")).containsExactly("topic");
    }
}
