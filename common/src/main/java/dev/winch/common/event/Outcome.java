package dev.winch.common.event;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** What became of a command. */
public enum Outcome {
    /** The change was made. */
    APPLIED,
    /** Nothing needed to change (already at the bound, image already set, tag not followed...). */
    NOOP,
    /** The event id was already recorded on the target: a redelivery, recognised and not applied again. */
    DUPLICATE,
    /** Deliberately not applied (cooldown, policy). */
    SKIPPED,
    /** Could not be applied; nothing changed. The reason says why. */
    FAILED,
    /** An outcome this reader does not know (written by a newer producer). */
    @JsonEnumDefaultValue
    UNKNOWN
}
