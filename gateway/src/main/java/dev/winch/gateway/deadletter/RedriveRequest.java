package dev.winch.gateway.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winch.gateway.payload.InvalidPayloadException;
import dev.winch.gateway.payload.InvalidPayloadException.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What {@code POST /api/v1/deadletters/{topic}/redrive} asks for: one record ({@code partition}, {@code offset}) or
 * an inclusive range ({@code partition}, {@code fromOffset}, {@code toOffset}) of at most {@link #MAX_RECORDS}.
 */
public record RedriveRequest(int partition, long fromOffset, long toOffset) {

    public static final int MAX_RECORDS = 500;
    private static final Set<String> FIELDS = Set.of("partition", "offset", "fromOffset", "toOffset");

    public RedriveRequest {
        if (partition < 0 || fromOffset < 0 || toOffset < fromOffset || toOffset - fromOffset >= MAX_RECORDS) {
            throw new IllegalArgumentException("not a redrive range: " + partition + "/" + fromOffset + ".."
                    + toOffset);
        }
    }

    public long size() {
        return toOffset - fromOffset + 1;
    }

    /** Reads and checks a request body; every problem is named by its field. */
    public static RedriveRequest parse(JsonNode body) throws InvalidPayloadException {
        List<FieldError> errors = new ArrayList<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(name, "unknown field; expected partition with offset, or with fromOffset"
                        + " and toOffset"));
            }
        });
        Long partition = number(body, "partition", Integer.MAX_VALUE, true, errors);
        boolean single = body.has("offset");
        boolean range = body.has("fromOffset") || body.has("toOffset");
        Long from = null;
        Long to = null;
        if (single && range) {
            errors.add(new FieldError("offset", "give either offset, or fromOffset and toOffset, not both"));
        } else if (single) {
            from = number(body, "offset", Long.MAX_VALUE, true, errors);
            to = from;
        } else if (range) {
            from = number(body, "fromOffset", Long.MAX_VALUE, true, errors);
            to = number(body, "toOffset", Long.MAX_VALUE, true, errors);
            if (from != null && to != null) {
                if (to < from) {
                    errors.add(new FieldError("toOffset", "must not be less than fromOffset"));
                } else if (to - from >= MAX_RECORDS) {
                    errors.add(new FieldError("toOffset", "a range holds at most " + MAX_RECORDS
                            + " records; toOffset may be at most fromOffset + " + (MAX_RECORDS - 1)));
                }
            }
        } else {
            errors.add(new FieldError("offset", "required: the record's offset, or fromOffset and toOffset"));
        }
        if (!errors.isEmpty() || partition == null || from == null || to == null) {
            throw new InvalidPayloadException("the redrive request is not valid", errors);
        }
        return new RedriveRequest(partition.intValue(), from, to);
    }

    private static Long number(JsonNode body, String field, long max, boolean required, List<FieldError> errors) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(new FieldError(field, "required"));
            }
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            errors.add(new FieldError(field, "must be a whole number"));
            return null;
        }
        long number = value.longValue();
        if (number < 0 || number > max) {
            errors.add(new FieldError(field, "must be between 0 and " + max));
            return null;
        }
        return number;
    }
}
