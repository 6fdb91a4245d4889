package dev.winch.common.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.cloudevents.rw.CloudEventRWException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Turns {@link Event}s into Kafka records and back: CloudEvents 1.0, binary mode ({@code ce_*} headers), JSON data.
 * Thread-safe.
 */
public final class EventCodec {

    public static final String JSON = "application/json";

    private static final String SPEC_VERSION_HEADER = "ce_specversion";
    private static final String ID_HEADER = "ce_id";
    private static final String SOURCE_HEADER = "ce_source";
    private static final String TYPE_HEADER = "ce_type";
    private static final String CONTENT_TYPE_HEADER = "content-type";
    private static final String SUBJECT_HEADER = "ce_subject";
    private static final String TIME_HEADER = "ce_time";
    private static final byte[] SPEC_VERSION_1 = SpecVersion.V1.toString().getBytes(StandardCharsets.UTF_8);

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .build();

    /** The JSON mapper for event data: ISO-8601 times, unknown fields ignored. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The CloudEvent for an event, data encoded as JSON. */
    public CloudEvent toCloudEvent(Event<?> event) {
        try {
            return CloudEventBuilder.v1()
                    .withId(event.id())
                    .withSource(event.source())
                    .withType(event.type().type())
                    .withTime(event.time().atOffset(ZoneOffset.UTC))
                    .withSubject(event.key())
                    .withDataContentType(JSON)
                    .withData(MAPPER.writeValueAsBytes(event.data()))
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data cannot be written as JSON: " + event.type(), e);
        }
    }

    /** The Kafka record for an event: its type's topic, its partition key, the CloudEvent in binary mode. */
    public ProducerRecord<String, byte[]> toRecord(Event<?> event) {
        return toRecord(event.topic(), event);
    }

    /**
     * As {@link #toRecord(Event)}, to a topic of the caller's choice. The headers are the ones the CloudEvents
     * SDK's Kafka binary writer produces for {@link #toCloudEvent(Event)}, in its order, written directly: this is
     * on the gateway's path for every request.
     */
    public ProducerRecord<String, byte[]> toRecord(String topic, Event<?> event) {
        String key = event.key();
        byte[] data;
        try {
            data = MAPPER.writeValueAsBytes(event.data());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data cannot be written as JSON: " + event.type(), e);
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(SPEC_VERSION_HEADER, SPEC_VERSION_1);
        headers.add(ID_HEADER, utf8(event.id()));
        headers.add(SOURCE_HEADER, utf8(event.source().toString()));
        headers.add(TYPE_HEADER, utf8(event.type().type()));
        headers.add(CONTENT_TYPE_HEADER, utf8(JSON));
        headers.add(SUBJECT_HEADER, utf8(key));
        headers.add(TIME_HEADER, CloudEventTime.utf8(event.time()));
        return new ProducerRecord<>(topic, null, null, key, data, headers);
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    public Event<?> fromRecord(ConsumerRecord<String, byte[]> record) throws EventDecodingException {
        return fromHeaders(record.headers(), record.value());
    }

    /** Reads a binary-mode CloudEvent and its JSON data into the record type its {@code type} names. */
    public Event<?> fromHeaders(Headers headers, byte[] value) throws EventDecodingException {
        CloudEvent cloudEvent;
        try {
            cloudEvent = KafkaMessageFactory.createReader(headers, value).toEvent();
        } catch (CloudEventRWException | IllegalStateException e) {
            throw new EventDecodingException(EventDecodingException.Reason.NOT_A_CLOUDEVENT,
                    "not a CloudEvent in binary mode: " + e.getMessage(), e);
        }
        return fromCloudEvent(cloudEvent);
    }

    public Event<?> fromCloudEvent(CloudEvent cloudEvent) throws EventDecodingException {
        if (cloudEvent.getSpecVersion() != SpecVersion.V1) {
            throw new EventDecodingException(EventDecodingException.Reason.NOT_A_CLOUDEVENT,
                    "unsupported CloudEvents spec version " + cloudEvent.getSpecVersion(), null);
        }
        EventType type = EventType.ofType(cloudEvent.getType()).orElseThrow(() -> new EventDecodingException(
                EventDecodingException.Reason.UNKNOWN_TYPE, "unknown event type '" + cloudEvent.getType() + "'", null));
        String contentType = cloudEvent.getDataContentType();
        if (contentType != null && !contentType.startsWith(JSON)) {
            throw new EventDecodingException(EventDecodingException.Reason.UNSUPPORTED_CONTENT_TYPE,
                    "data content type must be " + JSON + ", got '" + contentType + "'", null);
        }
        CloudEventData data = cloudEvent.getData();
        if (data == null) {
            throw new EventDecodingException(EventDecodingException.Reason.INVALID_DATA,
                    "event " + cloudEvent.getId() + " of type " + type.type() + " has no data", null);
        }
        WinchEvent payload;
        try {
            payload = MAPPER.readValue(data.toBytes(), type.dataClass());
        } catch (IOException | RuntimeException e) {
            throw new EventDecodingException(EventDecodingException.Reason.INVALID_DATA,
                    "data of event " + cloudEvent.getId() + " is not a valid " + type.type() + ": "
                            + firstLine(e.getMessage()), e);
        }
        Instant time = cloudEvent.getTime() == null ? Instant.EPOCH : cloudEvent.getTime().toInstant();
        try {
            return new Event<>(cloudEvent.getId(), cloudEvent.getSource(), time, payload);
        } catch (RuntimeException e) {
            throw new EventDecodingException(EventDecodingException.Reason.INVALID_DATA, e.getMessage(), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
