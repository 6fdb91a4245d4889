package dev.winch.upgrader.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ImagePushed.UpgradeTarget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutStrategyTest {

    private static RolloutStrategy strategy(Integer batch, Integer interval, Boolean startFirst) {
        return RolloutStrategy.of(new UpgradeTarget(null, null, Map.of("a", "b"), List.of(), batch, interval,
                startFirst));
    }

    @Test
    void startFirstSurgesByTheBatchAndKeepsEveryOldPodUntilReplaced() {
        RolloutStrategy.Settings settings = strategy(3, 10, true).forKind("deployment");

        assertThat(settings.maxSurge()).isEqualTo(3);
        assertThat(settings.maxUnavailable()).isZero();
        assertThat(settings.minReadySeconds()).isEqualTo(10);
        assertThat(settings.describe()).isEqualTo("maxSurge=3 maxUnavailable=0 minReadySeconds=10");
    }

    @Test
    void stopFirstTakesDownABatchBeforeStartingNewPods() {
        RolloutStrategy.Settings settings = strategy(2, null, false).forKind("daemonset");

        assertThat(settings.maxSurge()).isZero();
        assertThat(settings.maxUnavailable()).isEqualTo(2);
        assertThat(settings.minReadySeconds()).isNull();
    }

    @Test
    void aBatchSizeAloneIsStopFirstAndStartFirstAloneIsABatchOfOne() {
        assertThat(strategy(4, null, null).forKind("deployment"))
                .isEqualTo(new RolloutStrategy.Settings(0, 4, null, List.of()));
        assertThat(strategy(null, null, true).forKind("deployment"))
                .isEqualTo(new RolloutStrategy.Settings(1, 0, null, List.of()));
    }

    @Test
    void anIntervalAloneOnlySetsMinReadySeconds() {
        assertThat(strategy(null, 7, null).forKind("deployment"))
                .isEqualTo(new RolloutStrategy.Settings(null, null, 7, List.of()));
    }

    @Test
    void aStatefulSetCannotStartFirstAndSaysSo() {
        RolloutStrategy.Settings startFirst = strategy(2, 3, true).forKind("statefulset");
        RolloutStrategy.Settings stopFirst = strategy(2, 3, false).forKind("statefulset");

        assertThat(startFirst.maxSurge()).isNull();
        assertThat(startFirst.maxUnavailable()).isNull();
        assertThat(startFirst.minReadySeconds()).isEqualTo(3);
        assertThat(startFirst.notes()).singleElement().asString().contains("start-first cannot apply");
        assertThat(stopFirst.maxUnavailable()).isEqualTo(2);
        assertThat(stopFirst.notes()).singleElement().asString().contains("MaxUnavailableStatefulSet");
    }

    @Test
    void noSettingsMeansNoStrategy() {
        assertThat(strategy(null, null, null)).isNull();
    }
}
