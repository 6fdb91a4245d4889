package dev.winch.gateway.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiverIdTest {

    @Test
    void acceptsLettersDigitsAndSeparatorsAfterTheFirstCharacter() {
        assertThat(ReceiverSpec.isId("web-up")).isTrue();
        assertThat(ReceiverSpec.isId("0")).isTrue();
        assertThat(ReceiverSpec.isId("Web_Up.v2-")).isTrue();
        assertThat(ReceiverSpec.isId("a".repeat(127))).isTrue();
    }

    @Test
    void refusesEmptyTooLongLeadingSeparatorsAndOtherCharacters() {
        assertThat(ReceiverSpec.isId(null)).isFalse();
        assertThat(ReceiverSpec.isId("")).isFalse();
        assertThat(ReceiverSpec.isId("a".repeat(128))).isFalse();
        assertThat(ReceiverSpec.isId(".hidden")).isFalse();
        assertThat(ReceiverSpec.isId("-web")).isFalse();
        assertThat(ReceiverSpec.isId("_web")).isFalse();
        assertThat(ReceiverSpec.isId("web up")).isFalse();
        assertThat(ReceiverSpec.isId("web/up")).isFalse();
        assertThat(ReceiverSpec.isId("wéb")).isFalse();
        assertThat(ReceiverSpec.isId("web%2F")).isFalse();
    }
}
