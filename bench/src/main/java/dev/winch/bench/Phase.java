package dev.winch.bench;

import dev.winch.bench.BenchOptions.Server;
import io.vertx.core.json.JsonObject;

/**
 * One server under load for one warm-up and one measurement window.
 *
 * @param load      what the load generator measured (see {@link LoadGenerator})
 * @param stored    records the phase added to the server's topic (end offsets after minus before, whole phase)
 * @param readBack  the gateway's 2xx ids looked up on its topic; null for the bare server or when switched off
 * @param cpu       CPU of this JVM (broker and servers) and of the machine during the window
 * @param recordsPerProduceRequest records per produce request of the server's producer during the window
 */
record Phase(int round, Server server, JsonObject load, long stored, TopicAudit.ReadBack readBack,
        CpuMeter.Usage cpu, double recordsPerProduceRequest) {

    double windowSeconds() {
        return load.getLong("windowNanos") / 1e9;
    }

    long window2xx() {
        return load.getLong("window2xx");
    }

    double acceptedPerSecond() {
        return window2xx() / windowSeconds();
    }

    /** Latency of the 2xx answers in the window, at quantile {@code q} (0.5, 0.9, 0.99, 0.999, 1.0), in ms. */
    double latencyMillis(String q) {
        return load.getJsonObject("latencyNanos").getLong(q) / 1e6;
    }

    long total2xx() {
        return load.getLong("total2xx");
    }

    /** 2xx answers minus records stored: above zero means something acknowledged is not on the topic. */
    long lost() {
        return total2xx() - stored;
    }

    long windowNon2xx() {
        return load.getLong("windowOther");
    }

    long windowErrors() {
        return load.getLong("windowErrors");
    }

    double serverCpuMicrosPerRequest() {
        return cpu.processNanos() / 1e3 / Math.max(1, window2xx());
    }

    /**
     * Cores busy with something other than the two JVMs during the window (other processes, interrupts): how noisy
     * the shared machine was. NaN where /proc/stat cannot be read.
     */
    double otherCores(int cpus) {
        double busy = cpu.machineBusy() * cpus * windowSeconds();
        return (busy - cpu.processNanos() / 1e9 - load.getLong("clientCpuNanos") / 1e9) / windowSeconds();
    }

    double clientCpuMicrosPerRequest() {
        return load.getLong("clientCpuNanos") / 1e3 / Math.max(1, window2xx());
    }
}
