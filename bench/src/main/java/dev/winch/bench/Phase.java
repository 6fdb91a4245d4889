package dev.winch.bench;

import dev.winch.bench.BenchOptions.Server;
import io.vertx.core.json.JsonObject;

/**
 * One server under load for one warm-up and one measurement window.
 *
 * @param spread    how the pushes spread over record keys
 * @param load      what the load generator measured (see {@link LoadGenerator})
 * @param stored    records the phase added to the server's topic (end offsets after minus before, whole phase);
 *                  -1 for a server that writes to no topic (adnanh/webhook)
 * @param readBack  the gateway's 2xx ids looked up on its topic; null for the bare server or when switched off
 * @param cpu       CPU of this JVM (broker, and the servers when they run in it) and of the machine in the window
 * @param serverCpu CPU of the server's own process in the window; null when it runs in this JVM
 * @param recordsPerProduceRequest records per produce request of the server's producer during the window (NaN
 *                  when its producer is not in this JVM)
 */
record Phase(int round, Server server, BenchOptions.KeySpread spread, JsonObject load, long stored,
        TopicAudit.ReadBack readBack, CpuMeter.Usage cpu, ProcessCpu.Usage serverCpu,
        double recordsPerProduceRequest) {

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
        return stored < 0 ? 0 : total2xx() - stored;
    }

    long windowNon2xx() {
        return load.getLong("windowOther");
    }

    long windowErrors() {
        return load.getLong("windowErrors");
    }

    /** The server process's CPU per accepted request; in-JVM servers: the whole benchmark JVM's, broker included. */
    double serverCpuMicrosPerRequest() {
        return (serverCpu != null ? serverCpu.nanos() : cpu.processNanos()) / 1e3 / Math.max(1, window2xx());
    }

    /** The benchmark JVM's CPU per accepted request: the broker, and the servers when they run in it. */
    double benchJvmMicrosPerRequest() {
        return cpu.processNanos() / 1e3 / Math.max(1, window2xx());
    }

    /**
     * Cores busy with something other than the two JVMs during the window (other processes, interrupts): how noisy
     * the shared machine was. NaN where /proc/stat cannot be read.
     */
    double otherCores(int cpus) {
        double busy = cpu.machineBusy() * cpus * windowSeconds();
        double server = serverCpu == null ? 0 : serverCpu.nanos() / 1e9;
        return (busy - cpu.processNanos() / 1e9 - server - load.getLong("clientCpuNanos") / 1e9) / windowSeconds();
    }

    double clientCpuMicrosPerRequest() {
        return load.getLong("clientCpuNanos") / 1e3 / Math.max(1, window2xx());
    }
}
