package dev.winch.host.model;

import static dev.winch.host.model.HostState.ACTIVE;
import static dev.winch.host.model.HostState.DEACTIVATING;
import static dev.winch.host.model.HostState.DISCONNECTED;
import static dev.winch.host.model.HostState.ERROR;
import static dev.winch.host.model.HostState.INACTIVE;
import static dev.winch.host.model.HostState.RECONNECTING;
import static dev.winch.host.model.Hosts.capi;
import static dev.winch.host.model.Hosts.custom;
import static dev.winch.host.model.Hosts.down;
import static dev.winch.host.model.Hosts.host;
import static dev.winch.host.model.Hosts.up;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.ScaleAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPlanTest {

    // --- scale up: clone the oldest cloneable host ---

    @Test
    void clonesTheOldestCloneableHost() {
        List<Host> group = List.of(capi("new", 5, ACTIVE), capi("old", 1, ACTIVE), capi("middle", 3, ACTIVE));

        HostPlan.Clone plan = (HostPlan.Clone) HostPlan.of(up(2, 0, 10), group, 0);

        assertThat(plan.template().name()).isEqualTo("old");
        assertThat(plan.from()).isEqualTo(3);
        assertThat(plan.to()).isEqualTo(5);
        assertThat(plan.count()).isEqualTo(2);
        assertThat(plan.clamped()).isFalse();
    }

    @Test
    void neverClonesAnErrorHostNorACustomOneEvenWhenOlder() {
        List<Host> group = List.of(capi("failed", 0, ERROR), custom("by-hand", 1, ACTIVE), capi("good", 4, ACTIVE),
                host("scripted", 2, DISCONNECTED, Provider.EXEC));

        HostPlan.Clone plan = (HostPlan.Clone) HostPlan.of(up(1, 0, 10), group, 0);

        assertThat(plan.template().name()).isEqualTo("scripted");
    }

    @Test
    void errorHostsAreNotCountedAgainstMax() {
        List<Host> group = List.of(capi("a", 0, ACTIVE), capi("b", 1, ERROR), capi("c", 2, ERROR));

        HostPlan.Clone plan = (HostPlan.Clone) HostPlan.of(up(5, 0, 3), group, 0);

        assertThat(plan.from()).isEqualTo(1);
        assertThat(plan.to()).isEqualTo(3);
        assertThat(plan.clamped()).isTrue();
    }

    @Test
    void machinesStillBootingCountAgainstMax() {
        List<Host> group = List.of(capi("a", 0, ACTIVE), capi("b", 1, ACTIVE));

        HostPlan.Clone plan = (HostPlan.Clone) HostPlan.of(up(3, 0, 5), group, 2);

        assertThat(plan.from()).isEqualTo(4);
        assertThat(plan.to()).isEqualTo(5);
        assertThat(plan.count()).isEqualTo(1);
        assertThat(plan.clamped()).isTrue();
        assertThat(HostPlan.of(up(1, 0, 5), group, 3)).isInstanceOf(HostPlan.AtBound.class);
    }

    @Test
    void atMaxNothingIsCloned() {
        List<Host> group = List.of(capi("a", 0, ACTIVE), capi("b", 1, ACTIVE));

        HostPlan plan = HostPlan.of(up(1, 0, 2), group, 0);

        assertThat(plan).isInstanceOf(HostPlan.AtBound.class);
        assertThat(((HostPlan.AtBound) plan).reason()).contains("max 2").contains("nothing was cloned");
    }

    @Test
    void aGroupOfCustomHostsCannotBeCloned() {
        List<Host> group = List.of(custom("a", 0, ACTIVE), custom("b", 1, ACTIVE));

        HostPlan.Refused plan = (HostPlan.Refused) HostPlan.of(up(1, 0, 5), group, 0);

        assertThat(plan.reason()).startsWith("custom hosts cannot be cloned");
        assertThat(plan.failure()).isEqualTo(HostPlan.NOT_CLONEABLE);
    }

    @Test
    void aGroupWhoseProviderHostsAreAllInErrorCannotBeCloned() {
        List<Host> group = List.of(custom("a", 0, ACTIVE), capi("b", 1, ERROR));

        HostPlan.Refused plan = (HostPlan.Refused) HostPlan.of(up(1, 0, 5), group, 0);

        assertThat(plan.reason()).contains("in Error");
    }

    // --- scale down: state order, then deleteOption ---

    /** One host of each counted state, the newer host of each pair given first so the listing order is no help. */
    private static List<Host> twoOfEveryState() {
        List<Host> group = new ArrayList<>();
        int hour = 0;
        for (HostState state : List.of(ACTIVE, DISCONNECTED, RECONNECTING, DEACTIVATING, INACTIVE)) {
            String word = state.title().toLowerCase();
            group.add(capi(word + "-new", hour + 10, state));
            group.add(capi(word + "-old", hour, state));
            hour++;
        }
        group.add(capi("error-oldest", -5, ERROR));
        return group;
    }

    @Test
    void removesInStateOrderNewestFirstByDefault() {
        HostPlan.Remove plan = (HostPlan.Remove) HostPlan.of(down(10, 0, 20, null), twoOfEveryState(), 0);

        assertThat(plan.chosen()).extracting(Host::name).containsExactly(
                "inactive-new", "inactive-old", "deactivating-new", "deactivating-old", "reconnecting-new",
                "reconnecting-old", "disconnected-new", "disconnected-old", "active-new", "active-old");
        assertThat(plan.from()).isEqualTo(10);
        assertThat(plan.to()).isZero();
    }

    @Test
    void removesInStateOrderOldestFirstWithLeastRecent() {
        HostPlan.Remove plan = (HostPlan.Remove) HostPlan.of(down(10, 0, 20, "leastRecent"), twoOfEveryState(), 0);

        assertThat(plan.chosen()).extracting(Host::name).containsExactly(
                "inactive-old", "inactive-new", "deactivating-old", "deactivating-new", "reconnecting-old",
                "reconnecting-new", "disconnected-old", "disconnected-new", "active-old", "active-new");
    }

    @ParameterizedTest(name = "{0} with {1}: {2}")
    @CsvSource({
            "INACTIVE,     mostRecent,  inactive-new",
            "INACTIVE,     leastRecent, inactive-old",
            "DEACTIVATING, mostRecent,  deactivating-new",
            "DEACTIVATING, leastRecent, deactivating-old",
            "RECONNECTING, mostRecent,  reconnecting-new",
            "RECONNECTING, leastRecent, reconnecting-old",
            "DISCONNECTED, mostRecent,  disconnected-new",
            "DISCONNECTED, leastRecent, disconnected-old",
            "ACTIVE,       mostRecent,  active-new",
            "ACTIVE,       leastRecent, active-old",
    })
    void removesTheFirstStatePresentAndWithinItAsTheDeleteOptionSays(HostState first, String option,
            String expected) {
        // the group holds the state under test and every state after it in the removal order, never one before
        List<Host> group = twoOfEveryState().stream()
                .filter(h -> h.state() == ERROR || HostState.REMOVAL_ORDER.indexOf(h.state())
                        >= HostState.REMOVAL_ORDER.indexOf(first))
                .toList();

        HostPlan.Remove plan = (HostPlan.Remove) HostPlan.of(down(1, 0, 20, option), group, 0);

        assertThat(plan.chosen()).extracting(Host::name).containsExactly(expected);
    }

    @Test
    void neverChoosesAnErrorHost() {
        List<Host> group = List.of(capi("broken", 9, ERROR), capi("a", 0, ACTIVE), capi("b", 1, ACTIVE));

        HostPlan.Remove plan = (HostPlan.Remove) HostPlan.of(down(5, 0, 10, null), group, 0);

        assertThat(plan.chosen()).extracting(Host::name).containsExactly("b", "a");
        assertThat(plan.from()).isEqualTo(2);
    }

    @Test
    void neverGoesBelowMinAndSaysSoWhenClamped() {
        List<Host> group = List.of(capi("a", 0, ACTIVE), capi("b", 1, ACTIVE), capi("c", 2, ACTIVE));

        HostPlan.Remove plan = (HostPlan.Remove) HostPlan.of(down(5, 2, 10, null), group, 0);

        assertThat(plan.chosen()).extracting(Host::name).containsExactly("c");
        assertThat(plan.to()).isEqualTo(2);
        assertThat(plan.clamped()).isTrue();
        HostPlan.Remove exact = (HostPlan.Remove) HostPlan.of(down(1, 2, 10, null), group, 0);
        assertThat(exact.clamped()).isFalse();
    }

    @Test
    void atMinNothingIsRemovedAndErrorHostsDoNotCount() {
        List<Host> group = List.of(capi("a", 0, ACTIVE), capi("b", 1, ERROR), capi("c", 2, ERROR));

        HostPlan plan = HostPlan.of(down(1, 1, 10, null), group, 0);

        assertThat(plan).isInstanceOf(HostPlan.AtBound.class);
        assertThat(((HostPlan.AtBound) plan).size()).isEqualTo(1);
    }

    @Test
    void customHostsAreRemovable() {
        List<Host> group = List.of(custom("a", 0, ACTIVE), custom("b", 1, INACTIVE));

        HostPlan.Remove plan = (HostPlan.Remove) HostPlan.of(down(1, 0, 10, null), group, 0);

        assertThat(plan.chosen()).extracting(Host::name).containsExactly("b");
    }

    @Test
    void theOrderDoesNotDependOnTheListing() {
        List<Host> group = new ArrayList<>(twoOfEveryState());
        HostPlan.Remove first = (HostPlan.Remove) HostPlan.of(down(4, 0, 20, null), group, 0);
        Random random = new Random(3);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(group, random);
            assertThat(((HostPlan.Remove) HostPlan.of(down(4, 0, 20, null), group, 0)).chosen())
                    .isEqualTo(first.chosen());
        }
    }

    // --- bad input: FAILED with the reason, nothing planned ---

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "amount 0           | UP   | 0  | 0 | 5 |            | amount must be at least 1, got 0",
            "amount negative    | DOWN | -2 | 0 | 5 |            | amount must be at least 1, got -2",
            "min above max      | UP   | 1  | 6 | 5 |            | min (6) must not be above max (5)",
            "min negative       | DOWN | 1  | -1| 5 |            | min must not be negative, got -1",
            "unknown option     | DOWN | 1  | 0 | 5 | newestOnes | deleteOption must be mostRecent or leastRecent, got 'newestOnes'",
    })
    void refusesBadInputNamingTheField(String name, ScaleAction action, int amount, int min, int max,
            String deleteOption, String reason) {
        HostScaleRequested request = new HostScaleRequested("r", Hosts.GROUP, action, amount, min, max,
                deleteOption);

        HostPlan.Refused plan = (HostPlan.Refused) HostPlan.of(request, List.of(capi("a", 0, ACTIVE)), 0);

        assertThat(plan.reason()).startsWith(reason).endsWith("nothing was changed");
        assertThat(plan.failure()).isEqualTo(HostPlan.INVALID);
    }

    @Test
    void refusesAnEmptyGroupNamingTheSelector() {
        HostPlan.Refused plan = (HostPlan.Refused) HostPlan.of(up(1, 0, 5), List.of(), 0);

        assertThat(plan.reason()).contains("pool=workers,zone=a").contains("empty");
        assertThat(plan.failure()).isEqualTo(HostPlan.EMPTY_GROUP);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "command in a value   | pool | $(touch /tmp/x)   | hostSelector.pool is not a label value ('$(touch /tmp/x)')",
            "backticks in a value | pool | `id`              | hostSelector.pool is not a label value ('`id`')",
            "value too long       | pool | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | hostSelector.pool is not a label value",
            "semicolon in a key   | a;b  | workers           | hostSelector has a key that is not a label key ('a;b')",
            "bad key prefix       | -x/y | workers           | hostSelector has a key that is not a label key ('-x/y'): prefix part",
    })
    void refusesASelectorNoNodeCouldCarry(String name, String key, String value, String reason) {
        HostScaleRequested request = new HostScaleRequested("r", Map.of("zone", "a", key, value), ScaleAction.UP,
                1, 0, 5, null);

        HostPlan.Refused plan = (HostPlan.Refused) HostPlan.of(request, List.of(capi("a", 0, ACTIVE)), 0);

        assertThat(plan.reason()).startsWith(reason).endsWith("nothing was changed");
        assertThat(plan.failure()).isEqualTo(HostPlan.INVALID);
    }

    @Test
    void takesEveryCharacterALabelValueMayHold() {
        HostScaleRequested request = new HostScaleRequested("r", Map.of("example.com/pool", "Eu-1_a.B", "flag", ""),
                ScaleAction.UP, 1, 0, 5, null);

        assertThat(HostPlan.of(request, List.of(capi("a", 0, ACTIVE)), 0)).isInstanceOf(HostPlan.Clone.class);
    }

    @Test
    void refusesARequestWithoutSelector() {
        HostScaleRequested request = new HostScaleRequested("r", Map.of(), ScaleAction.UP, 1, 0, 5, null);

        HostPlan.Refused plan = (HostPlan.Refused) HostPlan.of(request, List.of(capi("a", 0, ACTIVE)), 0);

        assertThat(plan.reason()).startsWith("hostSelector");
    }
}
