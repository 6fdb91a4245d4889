package dev.winch.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.KubeEventObserved;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.KafkaSettings;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.notifier.NotifierConfig;
import dev.winch.notifier.NotifierService;
import dev.winch.notifier.events.sink.EventSinkConfig;
import dev.winch.notifier.events.sink.EventSinks;
import dev.winch.notifier.events.watch.EventsWatchConfig;
import dev.winch.notifier.events.watch.EventsWatcher;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events from the API server to a webhook sink: the watcher publishing to {@code winch.k8s.events}, the
 * notifier's webhook sink delivering each to a local HTTP capture server. Events per second, and the delay from an
 * Event's creation to its delivery at a steady rate.
 *
 * <p>One JVM: the embedded KRaft broker with Winch's topics (3 partitions), the API server (the sandbox, fabric8's
 * mock server in CRUD mode, or a real one with {@code --kubeconfig}), the watcher on its own ServiceRuntime (leader
 * of its Lease, one watch on the benchmark's namespace), the notifier with one webhook sink (POST, no rate limit
 * that could bind, no aggregation) on another, the capture server, and a reader of the topic. Each Event carries
 * its sequence number in its message, so the topic reader and the capture server tell which one they saw.
 * <ul>
 *   <li><b>Paced</b>: Events created at {@code --rate} per second for {@code --seconds}, each create started on its
 *       own time slot by one of {@code --creators} threads (each with its own client, so no create waits for
 *       another's connection). Per Event: the create request, slot → seen by a second watch of the benchmark's
 *       own (the API server's part), slot → on the topic, slot → delivered.</li>
 *   <li><b>Max</b>: {@code --burst} Events created as fast as {@code --creators} threads can, the watcher live;
 *       created per second, delivered per second, and their delays.</li>
 *   <li><b>Catch-up</b>: the watcher stopped, {@code --events} Events created, a new watcher started; from its start
 *       to the last delivered: the pipeline's own pace, the API server's create out of the figure.</li>
 * </ul>
 * Progress goes to stderr, the markdown report to stdout.
 */
public final class KubeEventsBenchmark {

    static final String USAGE = """
            usage: java -cp bench/target/winch-bench.jar dev.winch.bench.KubeEventsBenchmark [options]
              --rate R        paced: Events per second (default 100)
              --seconds S     paced: how long (default 20)
              --creators C    threads creating Events, each with its own client (default 16)
              --burst N       max: Events created as fast as possible, watched live (default 2000; 0 skips)
              --events N      catch-up: Events created while the watcher is stopped (default 3000; 0 skips)
              --kubeconfig F  a real API server instead of the sandbox (default: none)
              --namespace NS  the namespace the Events are created in (default bench)
            """;

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();
    private static final Pattern SEQUENCE = Pattern.compile("\\(#(\\d+)\\)");
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        DEFAULTS.put("rate", "100");
        DEFAULTS.put("seconds", "20");
        DEFAULTS.put("creators", "16");
        DEFAULTS.put("burst", "2000");
        DEFAULTS.put("events", "3000");
        DEFAULTS.put("kubeconfig", "");
        DEFAULTS.put("namespace", "bench");
    }

    private final PrintStream progress = System.err;
    private final Map<Integer, Long> onTopic = new ConcurrentHashMap<>();
    /** When a watch of the benchmark's own (not the watcher's) saw each Event: the API server's watch delay. */
    private final Map<Integer, Long> seen = new ConcurrentHashMap<>();
    private final Map<Integer, Long> delivered = new ConcurrentHashMap<>();
    private final AtomicInteger deliveries = new AtomicInteger();
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final List<ServiceRuntime> watcherRuntimes = new ArrayList<>();
    private ServiceStack stack;
    private EventsWatcher current;
    private String kubeconfig;
    private String namespace;
    private final String run = Long.toString(System.currentTimeMillis(), 36);

    public static void main(String[] args) throws Exception {
        Flags flags = Flags.parseOrExit(args, DEFAULTS, USAGE);
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .setLevel(Level.ERROR);
        KubeEventsBenchmark bench = new KubeEventsBenchmark();
        bench.kubeconfig = flags.text("kubeconfig");
        bench.namespace = flags.text("namespace");
        bench.run(flags.integer("rate", 1, 100_000), flags.integer("seconds", 1, 3600),
                flags.integer("creators", 1, 256), flags.integer("burst", 0, 10_000_000),
                flags.integer("events", 0, 10_000_000));
        System.exit(0);
    }

    private void run(int rate, int seconds, int creators, int burst, int events) throws Exception {
        StringBuilder report = new StringBuilder();
        Vertx captureVertx = Vertx.vertx();
        try (ServiceStack started = ServiceStack.start(progress)) {
            stack = started;
            prepareCluster();
            int port = startCapture(captureVertx);
            Thread reader = new Thread(this::readTopic, "bench-topic-reader");
            reader.setDaemon(true);
            reader.start();
            startSink(port);
            KubernetesClient observer = newClient();
            io.fabric8.kubernetes.client.Watch observing = observer.v1().events().inNamespace(namespace)
                    .watch(new io.fabric8.kubernetes.client.Watcher<>() {
                        @Override
                        public void eventReceived(Action action, io.fabric8.kubernetes.api.model.Event event) {
                            Integer n = sequenceOf(event.getMessage());
                            if (n != null) {
                                seen.putIfAbsent(n, System.nanoTime());
                            }
                        }

                        @Override
                        public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                            progress.println("[bench] the observing watch ended: " + cause);
                        }
                    });
            current = startWatcher();
            try {
                if (!ServiceStack.await(current::caughtUp, 60_000)) {
                    throw new IllegalStateException("the watcher did not lead and watch within 60 s");
                }
                report.append(String.format(Locale.ROOT, "API server: %s; %d creating threads%n%n",
                        kubeconfig.isEmpty() ? "the sandbox (fabric8 mock server, CRUD mode)"
                                : "the one of " + kubeconfig, creators));
                report.append(paced(rate, seconds, creators));
                if (burst > 0) {
                    report.append(max(burst, creators));
                }
                if (events > 0) {
                    report.append(catchUp(events, creators));
                }
            } finally {
                observing.close();
                observer.close();
                reading.set(false);
                if (current != null) {
                    current.stop().await(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            captureVertx.close().await(30, TimeUnit.SECONDS);
        }
        System.out.print(report);
    }

    // ---------------------------------------------------------------- the pieces

    /** A client of the API server of its own; the caller closes it. */
    private KubernetesClient newClient() throws Exception {
        if (kubeconfig.isEmpty()) {
            return stack.newKubernetesClient();
        }
        Config config = Config.fromKubeconfig(Files.readString(Path.of(kubeconfig)));
        config.setMaxConcurrentRequests(256);
        config.setMaxConcurrentRequestsPerHost(256);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** The namespaces the Events and the Lease live in (a real API server wants them to exist). */
    private void prepareCluster() throws Exception {
        try (KubernetesClient client = newClient()) {
            for (String name : List.of(namespace, "winch")) {
                if (client.namespaces().withName(name).get() == null) {
                    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                            .endMetadata().build()).create();
                }
            }
        }
    }

    /** The webhook sink's far end: notes when each Event arrives; answers 200. */
    private int startCapture(Vertx vertx) throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onComplete(body -> {
            long now = System.nanoTime();
            deliveries.incrementAndGet();
            if (body.succeeded()) {
                try {
                    JsonNode json = JSON.readTree(body.result().getBytes());
                    Integer n = sequenceOf(json.path("EventMessage").asText());
                    if (n != null) {
                        delivered.putIfAbsent(n, now);
                    }
                } catch (Exception e) {
                    progress.println("[bench] capture: a body that is not JSON: " + e.getMessage());
                }
            }
            request.response().setStatusCode(200).end();
        }));
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)
                .actualPort();
    }

    /** The notifier with one webhook sink to the capture server: all levels, this namespace, no limit that binds. */
    private void startSink(int port) throws Exception {
        Map<String, String> variables = new HashMap<>(stack.workerEnv(Map.of(
                "WINCH_CONSUMER_GROUP", "bench-notifier-" + run,
                EventSinkConfig.SINKS, "--sink=webhook:http://127.0.0.1:" + port + "/capture?level=Normal&namespaces="
                        + namespace + "&method=POST&header=Content-Type=application/json&rate=100000"
                        + "&sink_name=bench-capture",
                EventSinkConfig.AGGREGATION_WINDOW, "0s")));
        NotifierConfig config = NotifierConfig.fromEnv(variables);
        ServiceRuntime runtime = stack.runtime(config.runtime());
        runtime.blocking().call(runtime::publisher).await(30, TimeUnit.SECONDS);
        EventSinks sinks = EventSinks.create(runtime.vertx(), config.events(), runtime.clock());
        runtime.onClose(() -> {
            sinks.close();
            return io.vertx.core.Future.succeededFuture();
        });
        NotifierService service = new NotifierService(runtime, config, List.of(), List.of(), sinks);
        service.start().await(60, TimeUnit.SECONDS);
        if (!ServiceStack.await(service::channelsAssigned, 60_000)) {
            throw new IllegalStateException("the sink's consumer got no partitions within 60 s");
        }
    }

    private EventsWatcher startWatcher() throws Exception {
        Map<String, String> variables = new HashMap<>(stack.workerEnv(Map.of(
                EventsWatchConfig.WATCH, "true",
                EventsWatchConfig.NAMESPACES, namespace,
                EventsWatchConfig.LEASE_NAMESPACE, "winch",
                EventsWatchConfig.INSTANCE_ID, "bench-notifier")));
        Env env = new Env(variables);
        RuntimeConfig runtimeConfig = RuntimeConfig.fromEnv("notifier", env);
        EventsWatchConfig config = EventsWatchConfig.fromEnv(env, runtimeConfig);
        env.validate();
        ServiceRuntime runtime = stack.runtime(runtimeConfig);
        watcherRuntimes.add(runtime);
        runtime.blocking().call(runtime::publisher).await(30, TimeUnit.SECONDS);
        KubernetesClient client = newClient();
        runtime.onClose(() -> runtime.blocking().run(client::close));
        EventsWatcher watcher = EventsWatcher.on(runtime, client, config);
        io.vertx.core.Promise<Void> started = io.vertx.core.Promise.promise();
        runtime.vertx().runOnContext(v -> watcher.start().onComplete(started));
        started.future().await(30, TimeUnit.SECONDS);
        return watcher;
    }

    // ---------------------------------------------------------------- the parts

    /** One create per time slot, started by whichever creating thread is free; the slots are the pace. */
    private String paced(int rate, int seconds, int creators) throws Exception {
        int total = rate * seconds;
        progress.println("[bench] paced: " + rate + " Events/s for " + seconds + " s");
        Creators pool = new Creators(creators);
        Map<Integer, Long> slots = new ConcurrentHashMap<>();
        Map<Integer, Long> answered = new ConcurrentHashMap<>();
        Map<Integer, Long> late = new ConcurrentHashMap<>();
        List<Integer> ids = new ArrayList<>();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        CountDownLatch done = new CountDownLatch(total);
        for (int i = 0; i < total; i++) {
            long slot = start + i * interval;
            long wait = slot - System.nanoTime();
            if (wait > 200_000) {
                LockSupport.parkNanos(wait - 100_000);
            }
            while (System.nanoTime() < slot) {
                Thread.onSpinWait();
            }
            int n = sequence.incrementAndGet();
            ids.add(n);
            slots.put(n, slot);
            pool.submit(client -> {
                try {
                    long begun = System.nanoTime();
                    late.put(n, begun - slot);
                    create(client, n);
                    answered.put(n, System.nanoTime());
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(300, TimeUnit.SECONDS);
        long lastAnswer = answered.values().stream().mapToLong(Long::longValue).max().orElse(start);
        double createdPerSecond = answered.size() / ((lastAnswer - start) / 1e9);
        pool.close();
        ServiceStack.await(() -> ids.stream().allMatch(delivered::containsKey), 120_000);
        progress.println("[bench] paced: " + answered.size() + " created, " + ids.stream()
                .filter(delivered::containsKey).count() + " delivered; watcher " + meters());
        Latencies request = latencies(ids, slots, answered);
        Latencies startDelay = Latencies.ofNanos(late.values());
        Latencies watched = latencies(ids, slots, seen);
        Latencies topic = latencies(ids, slots, onTopic);
        Latencies sink = latencies(ids, slots, delivered);
        Latencies topicToSink = latencies(ids, onTopic, delivered);
        long deliveredCount = ids.stream().filter(delivered::containsKey).count();
        return String.format(Locale.ROOT, """
                ### Paced: %d Events/s for %d s

                %d Events asked, %d created (%.1f Events/s from the first slot to the last answer), %d delivered
                to the webhook sink. Times from each Event's slot (when its create was due).

                %s%s%s%s%s%s%s
                """, rate, seconds, total, answered.size(), createdPerSecond, deliveredCount, Latencies.header(),
                startDelay.row("slot → create request started"), request.row("slot → create answered"),
                watched.row("slot → seen by a watch of the benchmark's own"),
                topic.row("slot → on winch.k8s.events"), sink.row("slot → delivered to the webhook sink"),
                topicToSink.row("on the topic → delivered"));
    }

    /** As many creates as the creating threads manage, the watcher live. */
    private String max(int burst, int creators) throws Exception {
        progress.println("[bench] max: " + burst + " Events as fast as " + creators + " threads create them");
        Creators pool = new Creators(creators);
        Map<Integer, Long> answered = new ConcurrentHashMap<>();
        List<Integer> ids = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(burst);
        long start = System.nanoTime();
        for (int i = 0; i < burst; i++) {
            int n = sequence.incrementAndGet();
            ids.add(n);
            pool.submit(client -> {
                try {
                    create(client, n);
                    answered.put(n, System.nanoTime());
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(600, TimeUnit.SECONDS);
        pool.close();
        ServiceStack.await(() -> ids.stream().allMatch(delivered::containsKey), 300_000);
        long lastCreated = answered.values().stream().mapToLong(Long::longValue).max().orElse(start);
        List<Long> deliveredAt = ids.stream().filter(delivered::containsKey).map(delivered::get).toList();
        long lastDelivered = deliveredAt.stream().mapToLong(Long::longValue).max().orElse(start);
        double created = answered.size() / ((lastCreated - start) / 1e9);
        double deliveredRate = deliveredAt.size() / ((lastDelivered - start) / 1e9);
        progress.println("[bench] max: watcher " + meters());
        return String.format(Locale.ROOT, """
                ### Max: %d Events as fast as they can be created

                | Events | created | created/s | delivered | delivered/s (start → last delivered) | last created → last delivered, ms |
                |---:|---:|---:|---:|---:|---:|
                | %d | %d | %.0f | %d | %.0f | %.0f |

                %s%s
                """, burst, burst, answered.size(), created, deliveredAt.size(), deliveredRate,
                (lastDelivered - lastCreated) / 1e6, Latencies.header(),
                latencies(ids, answered, delivered).row("create answered → delivered"));
    }

    /** The pipeline's own pace: Events created while no watcher runs, then one starts. */
    private String catchUp(int events, int creators) throws Exception {
        progress.println("[bench] catch-up: the watcher stopped; creating " + events + " Events");
        current.stop().await(30, TimeUnit.SECONDS);
        current = null;
        Creators pool = new Creators(creators);
        List<Integer> ids = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(events);
        for (int i = 0; i < events; i++) {
            int n = sequence.incrementAndGet();
            ids.add(n);
            pool.submit(client -> {
                try {
                    create(client, n);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(600, TimeUnit.SECONDS);
        pool.close();
        progress.println("[bench] catch-up: starting a new watcher");
        long start = System.nanoTime();
        current = startWatcher();
        boolean all = ServiceStack.await(() -> ids.stream().allMatch(delivered::containsKey), 600_000);
        if (!all) {
            return "Catch-up did not complete: " + ids.stream().filter(delivered::containsKey).count() + " of "
                    + events + " delivered\n";
        }
        long lastTopic = ids.stream().mapToLong(onTopic::get).max().orElseThrow();
        long lastDelivered = ids.stream().mapToLong(delivered::get).max().orElseThrow();
        return String.format(Locale.ROOT, """
                ### Catch-up: %d Events created while the watcher was stopped

                | Events | watcher start → last on the topic, s | Events/s to the topic | watcher start → last delivered, s | Events/s delivered |
                |---:|---:|---:|---:|---:|
                | %d | %.2f | %.0f | %.2f | %.0f |

                """, events, events, (lastTopic - start) / 1e9, events / ((lastTopic - start) / 1e9),
                (lastDelivered - start) / 1e9, events / ((lastDelivered - start) / 1e9));
    }

    // ---------------------------------------------------------------- helpers

    private static Latencies latencies(List<Integer> ids, Map<Integer, Long> from, Map<Integer, Long> to) {
        List<Long> nanos = new ArrayList<>();
        for (Integer n : ids) {
            Long a = from.get(n);
            Long b = to.get(n);
            if (a != null && b != null) {
                nanos.add(Math.max(0, b - a));
            }
        }
        return Latencies.ofNanos(nanos);
    }

    private String meters() {
        StringBuilder out = new StringBuilder();
        for (ServiceRuntime runtime : watcherRuntimes) {
            runtime.registry().getMeters().stream().filter(m -> m.getId().getName().startsWith("winch_notifier_k8s"))
                    .forEach(m -> out.append(m.getId().getName()).append('=')
                            .append(m.measure().iterator().next().getValue()).append(' '));
        }
        return out.toString();
    }

    private void create(KubernetesClient client, int n) {
        String pod = "web-" + (n % 50);
        client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                .withNewMetadata().withName(pod + "." + run + "-" + n).withNamespace(namespace).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName(pod).withNamespace(namespace).endInvolvedObject()
                .withReason("BackOff").withMessage("Back-off restarting failed container (#" + n + ")")
                .withType("Warning").withCount(1).build()).create();
    }

    private static Integer sequenceOf(String message) {
        Matcher matcher = SEQUENCE.matcher(message == null ? "" : message);
        return matcher.find() ? Integer.valueOf(matcher.group(1)) : null;
    }

    /** Notes when each Event's record is read, from the topic's end as of the start. */
    private void readTopic() {
        EventCodec codec = new EventCodec();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                KafkaSettings.reader(stack.bootstrapServers()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.K8S_EVENTS).stream()
                    .map(info -> new TopicPartition(Topics.K8S_EVENTS, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (reading.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    try {
                        KubeEventObserved event = codec.fromRecord(record).dataAs(KubeEventObserved.class);
                        Integer n = sequenceOf(event.message());
                        if (n != null) {
                            onTopic.putIfAbsent(n, now);
                        }
                    } catch (Exception e) {
                        progress.println("[bench] not a Kubernetes event at offset " + record.offset() + ": " + e);
                    }
                }
            }
        }
    }

    /** Threads that create Events, each with a client of its own. */
    private final class Creators implements AutoCloseable {
        private final ExecutorService pool;
        private final List<KubernetesClient> clients = new ArrayList<>();
        private final ThreadLocal<KubernetesClient> client;

        Creators(int threads) throws Exception {
            for (int i = 0; i < threads; i++) {
                clients.add(newClient());
            }
            AtomicInteger next = new AtomicInteger();
            client = ThreadLocal.withInitial(() -> clients.get(next.getAndIncrement() % clients.size()));
            pool = Executors.newFixedThreadPool(threads);
        }

        void submit(java.util.function.Consumer<KubernetesClient> task) {
            pool.execute(() -> {
                try {
                    task.accept(client.get());
                } catch (RuntimeException e) {
                    progress.println("[bench] a create failed: " + e.getMessage());
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            pool.shutdown();
            pool.awaitTermination(60, TimeUnit.SECONDS);
            clients.forEach(KubernetesClient::close);
        }
    }
}
