package dev.winch.notifier.events.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.notifier.events.watch.PublishedLedger.Published;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishedLedgerTest {

    @Test
    void anEmptyTopicIsAFreshInstallWithoutResumePoint() {
        PublishedLedger ledger = PublishedLedger.of(List.of(), 100);

        assertThat(ledger.fresh()).isTrue();
        assertThat(ledger.resumePoint("demo")).isEmpty();
    }

    @Test
    void eachWatchResumesAfterTheHighestResourceVersionItPublished() {
        PublishedLedger ledger = PublishedLedger.of(List.of(
                new Published("demo", "u1", 10), new Published("demo", "u2", 14), new Published("ops", "u3", 12)),
                100);

        assertThat(ledger.resumePoint("demo")).hasValue(14);
        assertThat(ledger.resumePoint("ops")).hasValue(12);
        assertThat(ledger.isNew("demo", "u4", 13)).as("at or below the resume point").isFalse();
        assertThat(ledger.isNew("demo", "u4", 15)).isTrue();
        assertThat(ledger.isNew("ops", "u5", 13)).as("another watch's resume point does not apply").isTrue();
    }

    @Test
    void eventsSentTogetherResumeBelowTheOldestOfThemSoOneThatDidNotMakeItIsSentAgain() {
        // u1@11, u2@12 and u3@13 were sent at once with everything up to 10 acknowledged; u2 never made it.
        PublishedLedger ledger = PublishedLedger.of(List.of(
                new Published("demo", "u1", 11, 10), new Published("demo", "u3", 13, 10)), 100);

        assertThat(ledger.resumePoint("demo")).hasValue(10);
        assertThat(ledger.isNew("demo", "u2", 12)).as("lost with the old leader").isTrue();
        assertThat(ledger.isNew("demo", "u1", 11)).as("on the topic").isFalse();
        assertThat(ledger.isNew("demo", "u3", 13)).as("on the topic").isFalse();
        assertThat(ledger.isNew("demo", "u0", 10)).as("acknowledged before they were sent").isFalse();
    }

    @Test
    void aWatchWithNothingOnTheTopicResumesFromTheOldestRecordRead() {
        PublishedLedger ledger = PublishedLedger.of(List.of(
                new Published("demo", "u1", 10), new Published("demo", "u2", 14)), 100);

        assertThat(ledger.fresh()).isFalse();
        assertThat(ledger.resumePoint("quiet")).hasValue(10);
        assertThat(ledger.isNew("quiet", "u9", 11)).isTrue();
        assertThat(ledger.isNew("quiet", "u2", 14)).as("already on the topic").isFalse();
    }

    @Test
    void aChangedEventIsNewAndAPublishedOneIsNotAgain() {
        PublishedLedger ledger = PublishedLedger.of(List.of(new Published("demo", "u1", 10)), 100);

        assertThat(ledger.isNew("demo", "u1", 11)).as("count 1 -> 2: a new resourceVersion").isTrue();
        ledger.published("demo", "u1", 11);

        assertThat(ledger.isNew("demo", "u1", 11)).isFalse();
        assertThat(ledger.resumePoint("demo")).hasValue(11);
    }

    @Test
    void remembersOnlyTheLastPublishedEvents() {
        PublishedLedger ledger = PublishedLedger.of(List.of(), 3);
        ledger.startFrom("demo", 0);
        for (int version = 1; version <= 5; version++) {
            ledger.published("demo", "u" + version, version);
        }

        assertThat(ledger.remembered()).isEqualTo(3);
    }

    @Test
    void aFirstListIsTakenAsAlreadySeen() {
        PublishedLedger ledger = PublishedLedger.of(List.of(), 100);
        ledger.startFrom("demo", 40);

        assertThat(ledger.isNew("demo", "old", 39)).isFalse();
        assertThat(ledger.isNew("demo", "new", 41)).isTrue();
    }

    @Test
    void resourceVersionsThatAreNotNumbersAreNotComparable() {
        assertThat(ResourceVersions.parse("12345")).hasValue(12345);
        assertThat(ResourceVersions.parse("abc")).isEmpty();
        assertThat(ResourceVersions.parse("")).isEmpty();
        assertThat(ResourceVersions.parse(null)).isEmpty();
    }
}
