package dev.winch.gateway.payload;

import java.util.List;

/** A webhook body that cannot be used; each problem names the offending field path. */
public final class InvalidPayloadException extends Exception {

    /** One problem: a JSON path into the body ({@code push_data.tag}) and what is wrong with it. */
    public record FieldError(String field, String message) {
    }

    private final List<FieldError> errors;

    public InvalidPayloadException(String message, List<FieldError> errors) {
        super(message);
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
