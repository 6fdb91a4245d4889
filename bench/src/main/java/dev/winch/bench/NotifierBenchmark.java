package dev.winch.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.Topics;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.notifier.NotifierConfig;
import dev.winch.notifier.NotifierService;
import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.ChannelsFile;
import dev.winch.notifier.channel.webhook.WebhookChannel;
import dev.winch.notifier.delivery.DeliverySettings;
import dev.winch.notifier.delivery.RetryPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.LoggerFactory;

/**
 * The notifier's delivery: how many results per second one notifier delivers to a local webhook, and how much delay
 * a channel that times out on every request adds to a healthy one.
 *
 * <p>One JVM: the embedded KRaft broker, a Vert.x HTTP server standing in for the webhook (it answers 200 at once,
 * on {@code /hook}, or never, on {@code /never}), and the notifier on its own ServiceRuntime, with webhook channels
 * built from a channels file as a user writes it (the result as JSON, its id in {@code X-Winch-Result-Id}), their
 * rate set high enough to stay out of the way.
 * <ul>
 *   <li><b>Part A</b>: {@code --results} results are on {@code winch.results} before the notifier starts; the time
 *       from its start to the last one received gives results per second (rate limit out of the way).</li>
 *   <li><b>Part B</b>: results published at {@code --rate} per second for {@code --seconds}; the healthy channel's
 *       latency (publish to received) is measured twice: alone, then beside a channel whose every request runs into
 *       {@code --timeout-ms}.</li>
 * </ul>
 * Progress goes to stderr, the markdown report to stdout.
 */
public final class NotifierBenchmark {

    static final String USAGE = """
            usage: java -cp bench/target/winch-bench.jar dev.winch.bench.NotifierBenchmark [options]
              --results N       part A: results waiting when the notifier starts (default 5000)
              --rate R          part B: results per second (default 50)
              --seconds S       part B: how long each of its two runs publishes (default 20)
              --timeout-ms T    part B: attempt timeout; the dead channel's every attempt runs into it (default 2000)
            """;

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("results", "5000");
        DEFAULTS.put("rate", "50");
        DEFAULTS.put("seconds", "20");
        DEFAULTS.put("timeout-ms", "2000");
    }

    private final PrintStream progress = System.err;
    private final Map<String, Long> received = new ConcurrentHashMap<>();
    private final Map<String, Long> published = new ConcurrentHashMap<>();
    private final AtomicInteger posts = new AtomicInteger();
    private final List<NotifierService> services = new ArrayList<>();
    private ServiceStack stack;
    private String deadNote = "";
    private Vertx vertx;
    private int port;

    public static void main(String[] args) throws Exception {
        Flags flags = Flags.parseOrExit(args, DEFAULTS, USAGE);
        // The services' INFO lines (one per delivery) and the broker's request log would be measured with them.
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .setLevel(Level.ERROR);
        new NotifierBenchmark().run(flags.integer("results", 1, 10_000_000), flags.integer("rate", 1, 100_000),
                flags.integer("seconds", 1, 3600), flags.integer("timeout-ms", 10, 600_000));
        System.exit(0);
    }

    private void run(int results, int rate, int seconds, int timeoutMs) throws Exception {
        StringBuilder report = new StringBuilder();
        try (ServiceStack started = ServiceStack.start(progress)) {
            stack = started;
            vertx = Vertx.vertx();
            try {
                startEndpoint();
                report.append(partA(results));
                report.append(partB(rate, seconds, timeoutMs));
            } finally {
                // the notifiers first (no new attempts), then the channels' HTTP clients, then the stack
                for (NotifierService service : services) {
                    service.close().await(30, TimeUnit.SECONDS);
                }
                vertx.close().await(10, TimeUnit.SECONDS);
            }
        }
        System.out.print(report);
    }

    private String partA(int results) throws Exception {
        progress.println("[bench] part A: publishing " + results + " results");
        String receiver = "bench-a";
        route(receiver, List.of("a-hook"));
        ServiceRuntime publisher = runtime("bench-publisher");
        List<io.vertx.core.Future<?>> acks = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < results; i++) {
            Event<ActionResult> event = event(receiver, i);
            ids.add(event.id());
            acks.add(publisher.publisher().publish(event));
            if (acks.size() == 500) {
                Future.all(acks).await(60, TimeUnit.SECONDS);
                acks.clear();
            }
        }
        Future.all(acks).await(60, TimeUnit.SECONDS);
        progress.println("[bench] part A: starting the notifier");
        long start = System.nanoTime();
        start("bench-a", List.of(webhook("a-hook", "/hook")), Duration.ofSeconds(30));
        long ready = System.nanoTime();
        if (!ServiceStack.await(() -> ids.stream().allMatch(received::containsKey), 600_000)) {
            return "Part A did not complete: " + ids.stream().filter(received::containsKey).count() + " of "
                    + results + " received\n";
        }
        long first = ids.stream().mapToLong(received::get).min().orElseThrow();
        long last = ids.stream().mapToLong(received::get).max().orElseThrow();
        double total = (last - start) / 1e9;
        double steady = (last - first) / 1e9;
        return String.format(Locale.ROOT, """
                ### Part A: throughput to one webhook channel

                | results | messages (POSTs) | notifier start to last received, s | results/s from start | first to last received, s | results/s steady | notifier start until its groups formed, s |
                |---:|---:|---:|---:|---:|---:|---:|
                | %d | %d | %.2f | %.0f | %.2f | %.0f | %.2f |

                """, results, posts.get(), total, results / total, steady, (results - 1) / steady,
                (ready - start) / 1e9);
    }

    private String partB(int rate, int seconds, int timeoutMs) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, """
                ### Part B: a healthy channel beside one that times out

                %d results a second for %d s; the dead channel's attempts each run into the %d ms attempt timeout,
                3 attempts per result, then the result is dead-lettered.

                """, rate, seconds, timeoutMs));
        out.append(Latencies.header());
        Latencies alone = runB("bench-b1", rate, seconds, timeoutMs, false);
        out.append(alone.row("healthy channel alone: publish → received"));
        Latencies beside = runB("bench-b2", rate, seconds, timeoutMs, true);
        out.append(beside.row("healthy channel beside the dead one"));
        out.append(String.format(Locale.ROOT, "%n%s%n%nDelay added by the dead channel: p50 %s ms, p99 %s ms.%n%n",
                deadNote,
                Latencies.ms(beside.millis(0.5) - alone.millis(0.5)),
                Latencies.ms(beside.millis(0.99) - alone.millis(0.99))));
        return out.toString();
    }

    private Latencies runB(String name, int rate, int seconds, int timeoutMs, boolean withDead) throws Exception {
        progress.println("[bench] part B: " + name + (withDead ? " with a dead channel" : " alone"));
        String healthy = name + "-hook";
        String dead = name + "-dead";
        route(name, withDead ? List.of(healthy, dead) : List.of(healthy));
        List<Channel> channels = new ArrayList<>();
        channels.add(webhook(healthy, "/hook"));
        if (withDead) {
            channels.add(webhook(dead, "/never"));
        }
        ServiceRuntime notifier = start(name, channels, Duration.ofMillis(timeoutMs));
        ServiceRuntime publisher = runtime(name + "-publisher");
        // Not measured: the producer's first send (it waits for metadata), and the new groups reading past the
        // earlier parts' results. A first result of this run, received, says both are behind us.
        Event<ActionResult> first = event(name, -1);
        publisher.publisher().publish(first).await(30, TimeUnit.SECONDS);
        if (!ServiceStack.await(() -> received.containsKey(first.id()), 120_000)) {
            throw new IllegalStateException("the first result of " + name + " was not received within 120 s");
        }
        List<String> ids = new ArrayList<>();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        for (int i = 0; i < rate * seconds; i++) {
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
            next += interval;
            Event<ActionResult> event = event(name, i);
            ids.add(event.id());
            published.put(event.id(), System.nanoTime());
            publisher.publisher().publish(event);
        }
        ServiceStack.await(() -> ids.stream().allMatch(received::containsKey), 120_000);
        List<Long> nanos = ids.stream().filter(received::containsKey)
                .map(id -> received.get(id) - published.get(id)).toList();
        if (withDead) {
            var deadLettered = notifier.registry().find("winch_notifications_total")
                    .tags("channel", dead, "outcome", "dead_lettered").counter();
            var depth = notifier.registry().find("winch_notification_queue_depth").tags("channel", dead).gauge();
            deadNote = String.format(Locale.ROOT, "When the healthy channel had all %d, the dead channel had "
                    + "dead-lettered %.0f and held %.0f in its queue (the consumer stops fetching at "
                    + "WINCH_CONSUMER_MAX_IN_FLIGHT, 64).", ids.size(),
                    deadLettered == null ? 0 : deadLettered.count(), depth == null ? 0 : depth.value());
        }
        return Latencies.ofNanos(nanos);
    }

    // ---------------------------------------------------------------- pieces

    private void startEndpoint() throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            if (request.path().equals("/never")) {
                return; // never answers
            }
            request.body().onSuccess(body -> {
                long now = System.nanoTime();
                posts.incrementAndGet();
                String single = request.getHeader(WebhookChannel.RESULT_ID_HEADER);
                JsonObject json = new JsonObject(body);
                if (json.containsKey("window") && json.getValue("results") instanceof JsonArray digest) {
                    // a digest: the folded results with their ids
                    digest.forEach(item -> received.putIfAbsent(((JsonObject) item).getString("id"), now));
                } else {
                    received.putIfAbsent(single, now);
                }
                request.response().setStatusCode(200).end("{\"ok\":true}");
            });
        });
        port = server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    }

    /** A webhook channel as a channels file declares it, to {@code path} on the bench's endpoint. */
    private Channel webhook(String name, String path) {
        ChannelsFile file = ChannelsFile.parse("""
                channels:
                  - name: %s
                    kind: webhook
                    url: http://127.0.0.1:%d%s
                    messagesPerMinute: 600000
                """.formatted(name, port, path), Map.of(), vertx, Clock.systemUTC());
        return file.channel(name);
    }

    private ServiceRuntime runtime(String group) throws Exception {
        Map<String, String> variables = new HashMap<>(stack.workerEnv(Map.of("WINCH_CONSUMER_GROUP", group,
                "WINCH_SHUTDOWN_TIMEOUT", "2s")));
        Env env = new Env(variables);
        RuntimeConfig config = RuntimeConfig.fromEnv("notifier", env);
        env.validate();
        ServiceRuntime runtime = stack.runtime(config);
        runtime.blocking().call(runtime::publisher).await(30, TimeUnit.SECONDS);
        return runtime;
    }

    private ServiceRuntime start(String group, List<Channel> channels, Duration attemptTimeout) throws Exception {
        ServiceRuntime runtime = runtime(group);
        NotifierConfig config = new NotifierConfig(runtime.config(), Optional.empty(), Optional.empty(),
                Optional.empty(), new DeliverySettings(new RetryPolicy(3, Duration.ofMinutes(5),
                        Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5)), attemptTimeout,
                        Duration.ofMinutes(1), 100, 10_000));
        NotifierService service = new NotifierService(runtime, config, channels, List.of());
        services.add(service);
        service.start().await(60, TimeUnit.SECONDS);
        runtime.markStarted();
        // a group's first assignment takes a second or more: latencies are measured from then on
        if (!ServiceStack.await(service::channelsAssigned, 60_000)) {
            throw new IllegalStateException("the channels' consumer groups did not form within 60 s");
        }
        return runtime;
    }

    private void route(String receiver, List<String> channels) throws Exception {
        JsonArray notify = new JsonArray();
        channels.forEach(c -> notify.add(new JsonObject().put("channel", c)));
        byte[] json = new JsonObject().put("id", receiver).put("kind", "redeploy").put("notify", notify)
                .encode().getBytes(StandardCharsets.UTF_8);
        ServiceRuntime writer = runtime("bench-receivers");
        writer.publisher().send(new ProducerRecord<>(Topics.RECEIVERS, receiver, json)).await(30, TimeUnit.SECONDS);
    }

    private static Event<ActionResult> event(String receiver, int i) {
        ActionResult result = new ActionResult("cause-" + receiver + "-" + i, "dev.winch.image.pushed", receiver,
                "bench/deployment/app-" + (i % 30), Outcome.APPLIED, "set app to nginx:1.27", Map.of(),
                Instant.now(), Instant.now(), "upgrader");
        return new Event<>(UUID.randomUUID().toString(), URI.create("/winch/bench"), Instant.now(), result);
    }
}
