package dev.winch.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The process around a service benchmark: options, logging, a work directory removed afterwards (kept with
 * {@code --log file}), and an exit status (0 checks passed, 2 bad options, 3 a check failed, 1 an error).
 */
final class ServiceBenchmarkMain {

    /** One benchmark, given its options and work directory; returns the exit status. */
    @FunctionalInterface
    interface Benchmark {
        int run(Flags flags, Path work) throws Exception;
    }

    private ServiceBenchmarkMain() {
    }

    static void run(String[] args, Map<String, String> defaults, String usage, String name, Benchmark benchmark)
            throws Exception {
        Flags flags = Flags.parseOrExit(args, defaults, usage);
        int status = 1;
        Path work = Files.createTempDirectory("winch-bench-" + name + "-");
        boolean keep = false;
        try {
            BenchOptions.GatewayLog log = flags.choice("log", BenchOptions.GatewayLog.class);
            keep = log == BenchOptions.GatewayLog.FILE;
            BenchLogging.configure(log, work.resolve("services.log"));
            status = benchmark.run(flags, work);
            if (keep) {
                System.err.println("[bench] service log kept in " + work.resolve("services.log"));
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(usage);
            status = 2;
        } catch (Exception e) {
            // Exit anyway: non-daemon threads of the services would keep the JVM up.
            e.printStackTrace();
        } finally {
            if (!keep) {
                GatewayBenchmark.deleteRecursively(work);
            }
        }
        System.exit(status);
    }
}
