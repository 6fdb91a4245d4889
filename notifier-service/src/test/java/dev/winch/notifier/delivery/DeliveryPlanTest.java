package dev.winch.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.notifier.delivery.DeliveryPlan.Message;
import org.junit.jupiter.api.Test;

class DeliveryPlanTest {

    @Test
    void sendsOneMessagePerResultWhileTheRateAllows() {
        assertThat(DeliveryPlan.fold(3, 3)).containsExactly(new Message(0, 1), new Message(1, 2), new Message(2, 3));
        assertThat(DeliveryPlan.fold(2, 20)).containsExactly(new Message(0, 1), new Message(1, 2));
    }

    @Test
    void foldsWhatExceedsTheRateIntoOneDigestOnTheLastPermit() {
        assertThat(DeliveryPlan.fold(30, 20)).hasSize(20).endsWith(new Message(19, 30));
        assertThat(DeliveryPlan.fold(30, 20).get(19).digest()).isTrue();
        assertThat(DeliveryPlan.fold(30, 20).subList(0, 19)).noneMatch(Message::digest);
    }

    @Test
    void withOnePermitEverythingIsOneDigest() {
        assertThat(DeliveryPlan.fold(12, 1)).containsExactly(new Message(0, 12));
        assertThat(DeliveryPlan.fold(1, 1)).containsExactly(new Message(0, 1));
    }

    @Test
    void needsSomethingToPlan() {
        assertThatThrownBy(() -> DeliveryPlan.fold(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeliveryPlan.fold(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
