package dev.winch.bench;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A Kafka producer's running totals, read from the MBean it registers in this JVM: how many records it sent and in
 * how many produce requests. With {@code linger.ms=0} the records per request depend on how many arrive while
 * earlier requests are in flight, and the broker's cost per record falls as they grow.
 */
record ProducerStats(double requests, double records) {

    static ProducerStats read(String clientId) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName name = new ObjectName("kafka.producer:type=producer-metrics,client-id=" + clientId);
            return new ProducerStats(number(server.getAttribute(name, "request-total")),
                    number(server.getAttribute(name, "record-send-total")));
        } catch (JMException e) {
            return new ProducerStats(Double.NaN, Double.NaN);
        }
    }

    /** Records per produce request between two readings; NaN when either could not be read. */
    static double recordsPerRequest(ProducerStats start, ProducerStats end) {
        double requests = end.requests - start.requests;
        return requests > 0 ? (end.records - start.records) / requests : Double.NaN;
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
