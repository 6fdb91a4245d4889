package dev.winch.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The load generator, run in its own JVM by {@link GatewayBenchmark} so its allocation, GC pauses and JIT work do
 * not land in the servers' JVM (they still share the machine's cores, as a real client would on this machine).
 *
 * <p>Closed loop: {@code connections} HTTP/1.1 connections, opened one by one and spread over {@code threads}
 * event loops, each with exactly one request in flight; the next request leaves when the previous answer has been
 * read. A request counts in the measurement window when its answer arrives inside it; its latency is taken from
 * just before the request is written to the end of the answer, so a closed loop's coordinated omission applies:
 * a stall delays the requests that would have been sent during it instead of showing up as their latency.
 *
 * <p>Paced ({@code --rate R}): the same connections, but a request leaves only when the schedule of {@code R}
 * requests a second (shared evenly by the event loops, released every millisecond) allows it and a connection is
 * free; a schedule missed because every connection was busy is not caught up by more than one request per
 * connection. Both servers then do the same work per second, so their CPU per request compares like for like
 * (closed loop, the faster server batches more per system call and per produce request and pays less per request).
 *
 * <p>Talks to its parent on stdout, one line each: {@code WINDOW_START}, {@code WINDOW_END}, {@code RESULT {json}}.
 */
public final class LoadGenerator {

    private static final long REQUEST_IDLE_TIMEOUT_MS = 10_000;
    private static final long DRAIN_TIMEOUT_MS = 30_000;
    private static final String IDS_FIELD = "\"eventIds\":[\"";

    private LoadGenerator() {
    }

    /** The child's command line; built by {@link GatewayBenchmark}. */
    record Settings(String host, int port, String path, int connections, int threads, int warmupSeconds,
            int durationSeconds, int bodyBytes, BenchOptions.KeySpread spread, Path idsOut, long originMillis,
            int prewarmPort, int prewarmSeconds, int rate) {

        /** As before per-second counts and the pre-warm existed. */
        Settings(String host, int port, String path, int connections, int threads, int warmupSeconds,
                int durationSeconds, int bodyBytes, BenchOptions.KeySpread spread, Path idsOut) {
            this(host, port, path, connections, threads, warmupSeconds, durationSeconds, bodyBytes, spread, idsOut,
                    0, 0, 0, 0);
        }

        /** The same load, paced at {@code rate} requests a second in all (0: closed loop, as fast as answered). */
        Settings paced(int rate) {
            return new Settings(host, port, path, connections, threads, warmupSeconds, durationSeconds, bodyBytes,
                    spread, idsOut, originMillis, prewarmPort, prewarmSeconds, rate);
        }

        /** In {@code path}, this stands for the repository a connection pushes. */
        static final String REPO = "{repo}";

        List<String> toArgs() {
            List<String> args = new ArrayList<>(List.of("--host", host, "--port", String.valueOf(port), "--path",
                    path, "--connections",
                    String.valueOf(connections), "--threads", String.valueOf(threads), "--warmup",
                    String.valueOf(warmupSeconds), "--duration", String.valueOf(durationSeconds), "--body-bytes",
                    String.valueOf(bodyBytes), "--key-spread", spread.label()));
            if (idsOut != null) {
                args.addAll(List.of("--ids-out", idsOut.toString()));
            }
            if (originMillis > 0) {
                args.addAll(List.of("--origin-ms", String.valueOf(originMillis)));
            }
            if (prewarmPort > 0) {
                args.addAll(List.of("--prewarm-port", String.valueOf(prewarmPort), "--prewarm-seconds",
                        String.valueOf(prewarmSeconds)));
            }
            if (rate > 0) {
                args.addAll(List.of("--rate", String.valueOf(rate)));
            }
            return args;
        }

        static Settings fromArgs(String[] args) {
            Map<String, String> named = new TreeMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                named.put(args[i], args[i + 1]);
            }
            return new Settings(named.get("--host"), Integer.parseInt(named.get("--port")), named.get("--path"),
                    Integer.parseInt(named.get("--connections")),
                    Integer.parseInt(named.get("--threads")), Integer.parseInt(named.get("--warmup")),
                    Integer.parseInt(named.get("--duration")), Integer.parseInt(named.get("--body-bytes")),
                    BenchOptions.KeySpread.valueOf(named.get("--key-spread").toUpperCase(java.util.Locale.ROOT)),
                    named.containsKey("--ids-out") ? Path.of(named.get("--ids-out")) : null,
                    Long.parseLong(named.getOrDefault("--origin-ms", "0")),
                    Integer.parseInt(named.getOrDefault("--prewarm-port", "0")),
                    Integer.parseInt(named.getOrDefault("--prewarm-seconds", "0")),
                    Integer.parseInt(named.getOrDefault("--rate", "0")));
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromArgs(args);
        // stdout is the channel to the parent: nothing else may write there, and debug logging would slow the load.
        BenchLogging.configure(BenchOptions.GatewayLog.OFF, null);
        PrintStream out = System.out;
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(settings.threads()));
        long origin = settings.originMillis();
        if (settings.prewarmPort() > 0) {
            prewarm(vertx, settings);
            out.println("PREWARMED");
            out.flush();
            // The parent starts the server under test now, and says when: the origin of the per-second counts.
            String go = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))
                    .readLine();
            origin = Long.parseLong(go.substring("GO ".length()).trim());
        }
        long start = System.nanoTime();
        Clock clock = new Clock(start + TimeUnit.SECONDS.toNanos(settings.warmupSeconds()),
                start + TimeUnit.SECONDS.toNanos(settings.warmupSeconds() + settings.durationSeconds()));

        List<Loop> loops = new ArrayList<>();
        for (int t = 0; t < settings.threads(); t++) {
            List<Integer> mine = new ArrayList<>();
            for (int c = t; c < settings.connections(); c += settings.threads()) {
                mine.add(c);
            }
            loops.add(new Loop(settings, clock, mine, new Stats(origin)));
        }
        for (Loop loop : loops) {
            vertx.deployVerticle(loop).await(30, TimeUnit.SECONDS);
        }

        sleepUntil(clock.windowStart);
        long cpuStart = processCpuNanos();
        out.println("WINDOW_START");
        out.flush();
        sleepUntil(clock.windowEnd);
        long cpuEnd = processCpuNanos();
        out.println("WINDOW_END");
        out.flush();

        List<Stats> all = new ArrayList<>();
        for (Loop loop : loops) {
            all.add(loop.drained.future().await(DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }
        Stats total = Stats.merge(all);
        if (settings.idsOut() != null) {
            total.writeIds(settings.idsOut());
        }
        JsonObject result = total.toJson(clock.windowEnd - clock.windowStart)
                .put("clientCpuNanos", cpuEnd - cpuStart);
        out.println("RESULT " + result.encode());
        out.flush();
        vertx.close().await(10, TimeUnit.SECONDS);
        System.exit(0);
    }

    /**
     * The same load against a bare server for {@code prewarmSeconds}, answers discarded: so that when the server
     * under test starts, the client's own request path is compiled and what ramps up is the server alone.
     */
    private static void prewarm(Vertx vertx, Settings settings) throws Exception {
        Settings bare = new Settings(settings.host(), settings.prewarmPort(), "/ingest?key=" + Settings.REPO,
                settings.connections(), settings.threads(), 0, settings.prewarmSeconds(), settings.bodyBytes(),
                settings.spread(), null, 0, 0, 0, 0);
        long start = System.nanoTime();
        Clock clock = new Clock(start, start + TimeUnit.SECONDS.toNanos(settings.prewarmSeconds()));
        List<Loop> loops = new ArrayList<>();
        for (int t = 0; t < bare.threads(); t++) {
            List<Integer> mine = new ArrayList<>();
            for (int c = t; c < bare.connections(); c += bare.threads()) {
                mine.add(c);
            }
            loops.add(new Loop(bare, clock, mine, new Stats(0)));
        }
        for (Loop loop : loops) {
            vertx.deployVerticle(loop).await(30, TimeUnit.SECONDS);
        }
        for (Loop loop : loops) {
            loop.drained.future().await(settings.prewarmSeconds() + DRAIN_TIMEOUT_MS / 1000, TimeUnit.SECONDS);
        }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The measurement window on the {@link System#nanoTime()} scale. */
    private record Clock(long windowStart, long windowEnd) {
    }

    /** Some of the connections, all on one event loop, so their statistics need no synchronisation. */
    private static final class Loop extends VerticleBase {

        private final Settings settings;
        private final Clock clock;
        private final List<Integer> connections;
        private final Stats stats;
        private final Promise<Stats> drained = Promise.promise();
        private final java.util.ArrayDeque<Runnable> waiting = new java.util.ArrayDeque<>();
        private HttpClientAgent client;
        private int active;
        private long paceStart;
        private long released;
        private long pacer = -1;

        Loop(Settings settings, Clock clock, List<Integer> connections, Stats stats) {
            this.settings = settings;
            this.stats = stats;
            this.clock = clock;
            this.connections = connections;
        }

        @Override
        public Future<?> start() {
            client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true));
            active = connections.size();
            if (active == 0) {
                drained.complete(stats);
            }
            connections.forEach(this::connect);
            if (settings.rate() > 0 && active > 0) {
                paceStart = System.nanoTime();
                pacer = vertx.setPeriodic(1, id -> release());
            }
            return Future.succeededFuture();
        }

        /** Paced: lets as many waiting connections send as the schedule allows by now. */
        private void release() {
            long now = System.nanoTime();
            if (now >= clock.windowEnd) {
                vertx.cancelTimer(pacer);
                Runnable waiter;
                while ((waiter = waiting.poll()) != null) {
                    waiter.run();
                }
                return;
            }
            double perLoop = (double) settings.rate() / settings.threads();
            long due = (long) ((now - paceStart) / 1e9 * perLoop);
            released = Math.max(released, due - connections.size());
            while (released < due && !waiting.isEmpty()) {
                released++;
                waiting.poll().run();
            }
        }

        /** The next request on a connection: now, or paced, when the schedule lets it go. */
        private void next(int connection, HttpClientConnection conn, RequestOptions options, Buffer body) {
            if (settings.rate() > 0 && System.nanoTime() < clock.windowEnd) {
                waiting.add(() -> send(connection, conn, options, body));
            } else {
                send(connection, conn, options, body);
            }
        }

        private void connect(int connection) {
            if (System.nanoTime() >= clock.windowEnd) {
                finished();
                return;
            }
            client.connect(new HttpConnectOptions().setHost(settings.host()).setPort(settings.port()))
                    .onSuccess(conn -> next(connection, conn, request(connection),
                            Buffer.buffer(DockerHubPush.body(pushed(connection), settings.bodyBytes()))))
                    .onFailure(error -> {
                        stats.error(error, clock);
                        vertx.setTimer(100, id -> connect(connection));
                    });
        }

        /** The repository a connection pushes: its own, or the one every connection pushes. */
        private int pushed(int connection) {
            return settings.spread() == BenchOptions.KeySpread.ONE ? 0 : connection;
        }

        private RequestOptions request(int connection) {
            String target = settings.path().replace(Settings.REPO, DockerHubPush.repository(pushed(connection)));
            return new RequestOptions().setMethod(HttpMethod.POST).setHost(settings.host()).setPort(settings.port())
                    .setURI(target)
                    .putHeader("Content-Type", "application/json")
                    .setIdleTimeout(REQUEST_IDLE_TIMEOUT_MS);
        }

        private void send(int connection, HttpClientConnection conn, RequestOptions options, Buffer body) {
            if (System.nanoTime() >= clock.windowEnd) {
                conn.close();
                finished();
                return;
            }
            long sent = System.nanoTime();
            conn.request(options)
                    .compose(request -> request.send(body))
                    .compose(response -> response.body().map(answer -> {
                        stats.answer(sent, System.nanoTime(), response.statusCode(), answer, clock);
                        return answer;
                    }))
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            stats.error(ar.cause(), clock);
                            conn.close();
                            vertx.setTimer(10, id -> connect(connection));
                        } else if (System.nanoTime() < clock.windowEnd) {
                            next(connection, conn, options, body);
                        } else {
                            conn.close();
                            finished();
                        }
                    });
        }

        private void finished() {
            if (--active == 0) {
                drained.complete(stats);
            }
        }
    }

    /** What one event loop saw. Not thread-safe: each belongs to one loop until it is drained. */
    private static final class Stats {

        private long[] latencies = new long[1 << 16];
        private int measured;
        private long window2xx;
        private long windowOther;
        private long total2xx;
        private final Map<String, Long> statuses = new TreeMap<>();
        private final Map<String, Long> errors = new TreeMap<>();
        private long windowErrors;
        private long[] idHigh = new long[1 << 16];
        private long[] idLow = new long[1 << 16];
        private int ids;
        private long missingIds;
        /** With an origin (wall clock, ms): 2xx answers per second since then, whatever the window. */
        private final long originMillis;
        private long[] perSecond = new long[64];

        Stats(long originMillis) {
            this.originMillis = originMillis;
        }

        void answer(long sent, long done, int status, Buffer answer, Clock clock) {
            boolean inWindow = done >= clock.windowStart && done < clock.windowEnd;
            boolean ok = status >= 200 && status < 300;
            statuses.merge(String.valueOf(status), 1L, Long::sum);
            if (ok) {
                total2xx++;
                collectId(answer);
                if (originMillis > 0) {
                    int second = (int) Math.max(0, (System.currentTimeMillis() - originMillis) / 1000);
                    if (second >= perSecond.length) {
                        perSecond = Arrays.copyOf(perSecond, Math.max(second + 1, perSecond.length * 2));
                    }
                    perSecond[second]++;
                }
            }
            if (!inWindow) {
                return;
            }
            if (!ok) {
                windowOther++;
                return;
            }
            window2xx++;
            if (measured == latencies.length) {
                latencies = Arrays.copyOf(latencies, measured * 2);
            }
            latencies[measured++] = done - sent;
        }

        void error(Throwable error, Clock clock) {
            errors.merge(error.getClass().getSimpleName() + ": " + error.getMessage(), 1L, Long::sum);
            long now = System.nanoTime();
            if (now >= clock.windowStart && now < clock.windowEnd) {
                windowErrors++;
            }
        }

        /** The gateway answers {"receiver":..,"eventIds":["<uuid>"]}; the bare server answers nothing. */
        private void collectId(Buffer answer) {
            if (answer.length() == 0) {
                return;
            }
            String text = answer.toString(StandardCharsets.UTF_8);
            int at = text.indexOf(IDS_FIELD);
            if (at < 0 || text.length() < at + IDS_FIELD.length() + 36) {
                missingIds++;
                return;
            }
            UUID id = UUID.fromString(text.substring(at + IDS_FIELD.length(), at + IDS_FIELD.length() + 36));
            if (ids == idHigh.length) {
                idHigh = Arrays.copyOf(idHigh, ids * 2);
                idLow = Arrays.copyOf(idLow, ids * 2);
            }
            idHigh[ids] = id.getMostSignificantBits();
            idLow[ids++] = id.getLeastSignificantBits();
        }

        static Stats merge(List<Stats> parts) {
            Stats all = new Stats(parts.isEmpty() ? 0 : parts.get(0).originMillis);
            for (Stats s : parts) {
                if (s.perSecond.length > all.perSecond.length) {
                    all.perSecond = Arrays.copyOf(all.perSecond, s.perSecond.length);
                }
                for (int i = 0; i < s.perSecond.length; i++) {
                    all.perSecond[i] += s.perSecond[i];
                }
                all.latencies = concat(all.latencies, all.measured, s.latencies, s.measured);
                all.measured += s.measured;
                all.idHigh = concat(all.idHigh, all.ids, s.idHigh, s.ids);
                all.idLow = concat(all.idLow, all.ids, s.idLow, s.ids);
                all.ids += s.ids;
                all.window2xx += s.window2xx;
                all.windowOther += s.windowOther;
                all.windowErrors += s.windowErrors;
                all.total2xx += s.total2xx;
                all.missingIds += s.missingIds;
                s.statuses.forEach((k, v) -> all.statuses.merge(k, v, Long::sum));
                s.errors.forEach((k, v) -> all.errors.merge(k, v, Long::sum));
            }
            return all;
        }

        private static long[] concat(long[] a, int aLength, long[] b, int bLength) {
            long[] joined = Arrays.copyOf(a, aLength + bLength);
            System.arraycopy(b, 0, joined, aLength, bLength);
            return joined;
        }

        JsonObject toJson(long windowNanos) {
            long[] sorted = Arrays.copyOf(latencies, measured);
            Arrays.sort(sorted);
            JsonObject percentiles = new JsonObject();
            for (double q : new double[] {0.50, 0.90, 0.99, 0.999, 1.0}) {
                percentiles.put(String.valueOf(q), sorted.length == 0 ? 0
                        : sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)]);
            }
            JsonObject statusJson = new JsonObject();
            statuses.forEach(statusJson::put);
            JsonObject errorJson = new JsonObject();
            errors.forEach(errorJson::put);
            io.vertx.core.json.JsonArray seconds = new io.vertx.core.json.JsonArray();
            int last = perSecond.length;
            while (last > 0 && perSecond[last - 1] == 0) {
                last--;
            }
            for (int i = 0; i < last; i++) {
                seconds.add(perSecond[i]);
            }
            return new JsonObject()
                    .put("perSecond2xx", seconds)
                    .put("windowNanos", windowNanos)
                    .put("window2xx", window2xx)
                    .put("windowOther", windowOther)
                    .put("windowErrors", windowErrors)
                    .put("latencyNanos", percentiles)
                    .put("total2xx", total2xx)
                    .put("statuses", statusJson)
                    .put("errors", errorJson)
                    .put("ids", ids)
                    .put("answersWithoutId", missingIds);
        }

        /** The ids of every 2xx answer, as pairs of longs, for the parent to look for on the topic. */
        void writeIds(Path file) throws IOException {
            try (DataOutputStream data = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(file), 1 << 16))) {
                data.writeInt(ids);
                for (int i = 0; i < ids; i++) {
                    data.writeLong(idHigh[i]);
                    data.writeLong(idLow[i]);
                }
            }
        }
    }
}
