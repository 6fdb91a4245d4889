package dev.winch.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.WithKafka;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What every hostile-input test shares: one gateway with a receiver of each kind on the real broker, and the
 * check that a test published nothing — the end offset of every topic is where it was before the test.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HostileRequests {

    protected HostileSender sender;
    /** End offsets before the test; a test that means to publish moves it past its own records. */
    protected Map<TopicPartition, Long> before;

    @BeforeAll
    void startGateway(KafkaBroker broker) throws Exception {
        sender = HostileSender.start(broker);
    }

    @AfterAll
    void stopGateway() throws Exception {
        if (sender != null) {
            sender.close();
        }
    }

    @BeforeEach
    void rememberWhereTheTopicsEnd() throws Exception {
        before = sender.endOffsets();
    }

    @AfterEach
    void nothingWasPublished() throws Exception {
        assertThat(sender.endOffsets()).as("end offsets of every topic after the test").isEqualTo(before);
    }
}
