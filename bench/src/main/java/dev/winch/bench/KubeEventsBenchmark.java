package dev.winch.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.KubeEventObserved;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.KafkaSettings;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.notifier.events.watch.EventsWatchConfig;
import dev.winch.notifier.events.watch.EventsWatcher;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes event watcher: how many Events per second go from the API server to {@code winch.k8s.events}, and
 * the delay from an Event's creation to its record on the topic at a steady rate.
 *
 * <p>One JVM: the embedded KRaft broker with Winch's topics (3 partitions), the sandbox Kubernetes API (fabric8's
 * mock server in CRUD mode), the watcher on its own ServiceRuntime (leader of its Lease, one watch on namespace
 * {@code bench}), and a reader of the topic that notes when each Event's record arrives.
 * <ul>
 *   <li><b>Part B</b> (first, on an empty store): Events created at {@code --rate} per second for
 *       {@code --seconds}; per Event, from just before its creation request to its record read from the topic.</li>
 *   <li><b>Part A</b>: the watcher stopped, {@code --events} Events created by {@code --creators} threads, a new
 *       watcher started; from its start to the last of them on the topic: the watcher's own pace (read back, list,
 *       publish one at a time). Measured live, the sandbox's create (tens per second once thousands are stored)
 *       would be what is measured.</li>
 * </ul>
 * Progress goes to stderr, the markdown report to stdout.
 */
public final class KubeEventsBenchmark {

    static final String USAGE = """
            usage: java -cp bench/target/winch-bench.jar dev.winch.bench.KubeEventsBenchmark [options]
              --events N     part A: Events created while the watcher is stopped (default 3000)
              --creators C   threads creating Events (default 4)
              --rate R       part B: Events per second (default 100)
              --seconds S    part B: how long (default 20)
            """;

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();
    private static final String NAMESPACE = "bench";

    static {
        DEFAULTS.put("events", "3000");
        DEFAULTS.put("creators", "4");
        DEFAULTS.put("rate", "100");
        DEFAULTS.put("seconds", "20");
    }

    private final PrintStream progress = System.err;
    private final Map<String, Long> onTopic = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private ServiceStack stack;
    private EventsWatcher current;
    private final List<ServiceRuntime> runtimes = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Flags flags = Flags.parseOrExit(args, DEFAULTS, USAGE);
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .setLevel(Level.ERROR);
        new KubeEventsBenchmark().run(flags.integer("events", 1, 10_000_000), flags.integer("creators", 1, 64),
                flags.integer("rate", 1, 100_000), flags.integer("seconds", 1, 3600));
        System.exit(0);
    }

    private void run(int events, int creators, int rate, int seconds) throws Exception {
        StringBuilder report = new StringBuilder();
        try (ServiceStack started = ServiceStack.start(progress)) {
            stack = started;
            Thread reader = new Thread(this::readTopic, "bench-topic-reader");
            reader.setDaemon(true);
            reader.start();
            EventsWatcher watcher = startWatcher();
            current = watcher;
            try {
                if (!ServiceStack.await(watcher::caughtUp, 60_000)) {
                    throw new IllegalStateException("the watcher did not lead and watch within 60 s");
                }
                report.append(partB(rate, seconds, creators));
                report.append(partA(watcher, events, creators));
            } finally {
                reading.set(false);
                if (current != null) {
                    current.stop().await(30, TimeUnit.SECONDS);
                }
            }
        }
        System.out.print(report);
    }

    private EventsWatcher startWatcher() throws Exception {
        Map<String, String> variables = new HashMap<>(stack.workerEnv(Map.of(
                EventsWatchConfig.WATCH, "true",
                EventsWatchConfig.NAMESPACES, NAMESPACE,
                EventsWatchConfig.LEASE_NAMESPACE, "winch",
                EventsWatchConfig.INSTANCE_ID, "bench-notifier")));
        Env env = new Env(variables);
        RuntimeConfig runtimeConfig = RuntimeConfig.fromEnv("notifier", env);
        EventsWatchConfig config = EventsWatchConfig.fromEnv(env, runtimeConfig);
        env.validate();
        ServiceRuntime runtime = stack.runtime(runtimeConfig);
        runtimes.add(runtime);
        runtime.blocking().call(runtime::publisher).await(30, TimeUnit.SECONDS);
        KubernetesClient client = stack.newKubernetesClient();
        runtime.onClose(() -> runtime.blocking().run(client::close));
        EventsWatcher watcher = EventsWatcher.on(runtime, client, config);
        io.vertx.core.Promise<Void> started = io.vertx.core.Promise.promise();
        runtime.vertx().runOnContext(v -> watcher.start().onComplete(started));
        started.future().await(30, TimeUnit.SECONDS);
        return watcher;
    }

    /**
     * The watcher's own pace: it is stopped, {@code events} Events are created (not measured), then a new watcher
     * starts; from its start to the last of them on the topic it reads the topic back, lists, and publishes them one
     * after the other, each after the broker's acknowledgement.
     */
    private String partA(EventsWatcher first, int events, int creators) throws Exception {
        progress.println("[bench] part A: the watcher stopped; creating " + events + " Events from " + creators
                + " threads");
        first.stop().await(30, TimeUnit.SECONDS);
        current = null;
        List<String> keys = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(creators);
        List<KubernetesClient> clients = new ArrayList<>();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < creators; c++) {
            KubernetesClient client = stack.newKubernetesClient();
            clients.add(client);
            int share = events / creators + (c < events % creators ? 1 : 0);
            done.add(pool.submit(() -> {
                for (int i = 0; i < share; i++) {
                    keys.add(key(create(client)));
                }
            }));
        }
        for (Future<?> future : done) {
            future.get(600, TimeUnit.SECONDS);
        }
        pool.shutdown();
        clients.forEach(KubernetesClient::close);
        progress.println("[bench] part A: starting a new watcher");
        long start = System.nanoTime();
        current = startWatcher();
        boolean all = ServiceStack.await(() -> keys.stream().allMatch(onTopic::containsKey), 600_000);
        if (!all) {
            return "Part A did not complete: " + keys.stream().filter(onTopic::containsKey).count() + " of " + events
                    + " on the topic\n";
        }
        long firstOn = keys.stream().mapToLong(onTopic::get).min().orElseThrow();
        long last = keys.stream().mapToLong(onTopic::get).max().orElseThrow();
        double total = (last - start) / 1e9;
        double steady = (last - firstOn) / 1e9;
        return String.format(Locale.ROOT, """
                ### Part A: catching up after a restart

                | Events created while stopped | watcher start to last on the topic, s | Events/s from start | first to last on the topic, s | Events/s publishing |
                |---:|---:|---:|---:|---:|
                | %d | %.2f | %.0f | %.2f | %.0f |

                """, events, total, events / total, steady, (events - 1) / steady);
    }

    private String partB(int rate, int seconds, int creators) throws Exception {
        progress.println("[bench] part B: " + rate + " Events/s for " + seconds + " s");
        KubernetesClient client = stack.newKubernetesClient();
        // The sandbox takes a create in tens of ms: creators in parallel keep the pace, each started on time.
        ExecutorService pool = Executors.newFixedThreadPool(creators);
        Map<String, Long> createdAt = new ConcurrentHashMap<>();
        List<Future<String>> keys = new ArrayList<>();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        long started = next;
        for (int i = 0; i < rate * seconds; i++) {
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
            next += interval;
            keys.add(pool.submit(() -> {
                long before = System.nanoTime();
                String key = key(create(client));
                createdAt.put(key, before);
                return key;
            }));
        }
        List<String> created = new ArrayList<>();
        for (Future<String> key : keys) {
            created.add(key.get(120, TimeUnit.SECONDS));
        }
        double achieved = created.size() / ((System.nanoTime() - started) / 1e9);
        pool.shutdown();
        ServiceStack.await(() -> created.stream().allMatch(onTopic::containsKey), 120_000);
        progress.println("[bench] part B: watcher meters " + meters());
        client.close();
        List<Long> nanos = created.stream().filter(onTopic::containsKey)
                .map(k -> onTopic.get(k) - createdAt.get(k)).toList();
        Latencies latencies = Latencies.ofNanos(nanos);
        return String.format(Locale.ROOT, """
                ### Part B: latency at %d Events/s for %d s

                From just before the create request to the record read from the topic (%d of %d on the topic;
                %.0f Events/s created, by %d threads).

                %s%s
                """, rate, seconds, nanos.size(), created.size(), achieved, creators, Latencies.header(),
                latencies.row("created → on winch.k8s.events"));
    }

    private String meters() {
        StringBuilder out = new StringBuilder();
        for (ServiceRuntime runtime : runtimes) {
            runtime.registry().getMeters().stream().filter(m -> m.getId().getName().startsWith("winch_notifier_k8s"))
                    .forEach(m -> out.append(m.getId().getName()).append('=')
                            .append(m.measure().iterator().next().getValue()).append(' '));
        }
        return out.toString();
    }

    private Event create(KubernetesClient client) {
        int n = sequence.incrementAndGet();
        String pod = "web-" + (n % 50);
        return client.v1().events().inNamespace(NAMESPACE).resource(new EventBuilder()
                .withNewMetadata().withName(pod + ".b" + n).withNamespace(NAMESPACE).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName(pod).withNamespace(NAMESPACE).endInvolvedObject()
                .withReason("BackOff").withMessage("Back-off restarting failed container (" + n + ")")
                .withType("Warning").withCount(1).build()).create();
    }

    private static String key(Event event) {
        return event.getMetadata().getUid() + "@" + event.getMetadata().getResourceVersion();
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
                        onTopic.putIfAbsent(event.uid() + "@" + event.resourceVersion(), now);
                    } catch (Exception e) {
                        progress.println("[bench] not a Kubernetes event at offset " + record.offset() + ": " + e);
                    }
                }
            }
        }
    }
}
