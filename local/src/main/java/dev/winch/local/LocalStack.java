package dev.winch.local;

import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.kafka.TopicCreator;
import dev.winch.common.runtime.Logging;
import dev.winch.testkit.EmbeddedKafkaBroker;
import dev.winch.testkit.SandboxKubernetes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * The whole Winch stack on one machine: a real Kafka broker (KRaft, in this JVM), a sandbox Kubernetes API when
 * no kubeconfig is found, the five services, each from its own runnable jar in a child process, and the capture
 * endpoints of the notifications ({@link NotificationCapture}: an SMTP server and a webhook, shown by the banner).
 * Ctrl-C stops the services (SIGTERM, so they finish in-flight work and commit), then the broker and the sandbox.
 *
 * <p>Environment: {@code WINCH_LOCAL_HTTP_PORT} (gateway, default 8080), {@code WINCH_LOCAL_HOST} (the address
 * every service listens on, default {@code 127.0.0.1}: a local run is not reachable from other machines unless
 * asked), {@code WINCH_LOCAL_SANDBOX_PORT}
 * (sandbox API, default 0: a free port), {@code KUBECONFIG} (use that cluster instead of the sandbox).
 */
public final class LocalStack implements AutoCloseable {

    private static final List<String> SERVICES =
            List.of("gateway", "scaler-service", "upgrader-service", "host-service", "notifier-service");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final Path home;
    private final Path work;
    private final PrintStream out;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Integer> managementPorts = new LinkedHashMap<>();
    private final List<Thread> pumps = new ArrayList<>();
    private EmbeddedKafkaBroker kafka;
    private SandboxKubernetes sandbox;
    private NotificationCapture capture;
    private String host = "127.0.0.1";

    LocalStack(Path home, PrintStream out) {
        this.home = home;
        this.work = home.resolve(".winch-local");
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        long begin = System.nanoTime();
        Logging.configure(RuntimeConfig.LogFormat.PLAIN);
        Path home = findHome();
        LocalStack stack = new LocalStack(home, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "winch-local-shutdown"));
        try {
            stack.start(System.getenv());
        } catch (Exception e) {
            System.err.println("winch-local: " + e.getMessage());
            stack.close();
            System.exit(1);
        }
        System.out.printf("Ready in %.1f s. Ctrl-C stops everything.%n", (System.nanoTime() - begin) / 1e9);
        // Stop on Ctrl-C or SIGTERM from a live JVM rather than from a shutdown hook: the services' last lines
        // still reach the terminal, and they are given the time they need to commit and close.
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : List.of("INT", "TERM")) {
            Signal.handle(new Signal(name), signal -> stop.countDown());
        }
        stop.await();
        stack.close();
        System.exit(0);
    }

    void start(Map<String, String> env) throws Exception {
        Files.createDirectories(work);
        for (String service : SERVICES) {
            Path jar = jar(service);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: run 'mvn -DskipTests package' first");
            }
        }
        int httpPort = Integer.parseInt(env.getOrDefault("WINCH_LOCAL_HTTP_PORT", "8080"));
        host = env.getOrDefault("WINCH_LOCAL_HOST", "127.0.0.1");
        Optional<Path> kubeconfig = existingKubeconfig(env);
        if (kubeconfig.isEmpty()) {
            int sandboxPort = Integer.parseInt(env.getOrDefault("WINCH_LOCAL_SANDBOX_PORT", "0"));
            sandbox = SandboxKubernetes.start(sandboxPort);
            sandbox.seedDemo();
            SandboxHostGroup.seed(sandbox.client());
            kubeconfig = Optional.of(sandbox.writeKubeconfig(work.resolve("kubeconfig")));
            out.println("No kubeconfig found: using a SANDBOX Kubernetes API (fabric8 mock server, CRUD mode, "
                    + "in memory, not a real cluster) at " + sandbox.url());
        } else {
            out.println("Using the cluster of " + kubeconfig.get());
        }
        kafka = EmbeddedKafkaBroker.start();
        createTopics(kafka.bootstrapServers());
        out.println("Kafka (KRaft, embedded) at " + kafka.bootstrapServers());

        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        Path receivers = work.resolve("receivers.yaml");
        Files.writeString(receivers, """
                # Written by the local run; a new token each start.
                receivers:
                  - id: demo-web
                    name: Upgrade demo/web on a Docker Hub push
                    kind: redeploy
                    token: %s
                    redeploy:
                      namespace: demo
                      workload: deployment/web
                      container: web
                    notify:
                      - channel: local-mail
                        outcomes: [APPLIED, FAILED]
                  - id: web-up
                    name: Two more web pods (Alertmanager action=up, or a plain POST)
                    kind: scaleService
                    token: %s
                    scaleService: {namespace: demo, workload: deployment/web, action: up, amount: 2, min: 1, max: 10}
                  - id: web-down
                    name: One web pod less (Alertmanager action=down, or a plain POST)
                    kind: scaleService
                    token: %s
                    scaleService: {namespace: demo, workload: deployment/web, action: down, amount: 1, min: 1, max: 10}
                  - id: hosts-up
                    name: Clone the oldest worker host (group winch.dev/group=workers)
                    kind: scaleHost
                    token: %s
                    scaleHost: {hostSelector: {winch.dev/group: workers}, action: up, amount: 1, min: 1, max: 5}
                  - id: hosts-down
                    name: Drain and remove one worker host, NotReady ones first
                    kind: scaleHost
                    token: %s
                    scaleHost: {hostSelector: {winch.dev/group: workers}, action: down, amount: 1, min: 1, max: 5}
                """.formatted(token, token, token, token, token));

        capture = NotificationCapture.start(host, out);
        Path channels = work.resolve("channels.yaml");
        Files.writeString(channels, """
                # Written by the local run: the notifier's channels, delivered to the capture endpoints of the run.
                # demo-web routes its results to local-mail (receivers.yaml); every result goes to local-webhook.
                channels:
                  - name: local-mail
                    kind: smtp
                    host: %s
                    port: %d
                    tls: none
                    from: winch@localhost
                    to: [ops@localhost]
                  - name: local-webhook
                    kind: webhook
                    url: %s
                routes:
                  - channel: local-webhook
                """.formatted(host, capture.smtpPort(), capture.webhookUrl()));

        for (String service : SERVICES) {
            Map<String, String> serviceEnv = new HashMap<>();
            serviceEnv.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            serviceEnv.put("KUBECONFIG", kubeconfig.get().toString());
            int management = freePort();
            serviceEnv.put("WINCH_MANAGEMENT_PORT", String.valueOf(management));
            serviceEnv.put("WINCH_MANAGEMENT_HOST", host);
            if (service.equals("gateway")) {
                serviceEnv.put("WINCH_HTTP_PORT", String.valueOf(httpPort));
                serviceEnv.put("WINCH_HTTP_HOST", host);
                serviceEnv.put("WINCH_RECEIVERS_FILE", receivers.toString());
                // The channel names, so that a receiver routing to a channel that does not exist is refused.
                serviceEnv.put("WINCH_NOTIFIER_CHANNELS_FILE", channels.toString());
            }
            if (service.equals("notifier-service")) {
                serviceEnv.put("WINCH_NOTIFIER_CHANNELS_FILE", channels.toString());
                serviceEnv.put("WINCH_NOTIFIER_RECEIVERS_FILE", receivers.toString());
                serviceEnv.put("WINCH_PUBLIC_URL", "http://" + host + ":" + httpPort);
                // Kubernetes events of the sandbox: watched (the notifier's event watcher) and delivered by a
                // kube-eventer webhook sink to the capture endpoint, with kube-eventer's default body
                serviceEnv.put("WINCH_NOTIFIER_EVENTS_WATCH", "true");
                serviceEnv.put("WINCH_NOTIFIER_EVENT_SINKS", "--sink=webhook:" + capture.webhookUrl()
                        + "?level=Normal&method=POST&header=Content-Type=application/json&sink_name=local-events");
            }
            managementPorts.put(service, management);
            processes.put(service, launch(service, serviceEnv));
        }
        awaitReady();
        printBanner(httpPort, token);
    }

    private Process launch(String service, Map<String, String> extraEnv) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        // In a session of its own a service does not get the terminal's Ctrl-C as well as the launcher's SIGTERM:
        // a second signal during its shutdown would halt it before it committed.
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.addAll(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", jar(service).toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(extraEnv);
        Process process = builder.start();
        String prefix = String.format("%-9s| ", service.replace("-service", ""));
        Thread pump = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    out.println(prefix + line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "winch-local-" + service);
        pump.setDaemon(true);
        pump.start();
        pumps.add(pump);
        return process;
    }

    private void awaitReady() throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        List<String> waiting = new ArrayList<>(SERVICES);
        while (!waiting.isEmpty()) {
            for (String service : List.copyOf(waiting)) {
                Process process = processes.get(service);
                if (!process.isAlive()) {
                    throw new IllegalStateException(service + " exited with status " + process.exitValue());
                }
                if (ready(http, managementPorts.get(service))) {
                    waiting.remove(service);
                    // Start-to-ready, as docs/benchmarks.md records it: from the process start to the first 200.
                    process.info().startInstant().ifPresent(start -> out.println(String.format(
                            "%-9s| ready %d ms after its process started", service.replace("-service", ""),
                            Duration.between(start, java.time.Instant.now()).toMillis())));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready after " + READY_TIMEOUT.toSeconds() + " s: " + waiting);
            }
            if (!waiting.isEmpty()) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    private boolean ready(HttpClient http, int port) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                            URI.create(url(port) + "/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String url(int port) {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private void printBanner(int httpPort, String token) {
        String gateway = url(httpPort);
        out.println();
        out.println("Winch is running.");
        out.println("  gateway:      " + gateway + "   (POST /hooks/{id})");
        out.println("  console:      " + gateway + "/console/   (no admin token in the local run: "
                + "from this machine only)");
        managementPorts.forEach((service, port) ->
                out.println(String.format("  %-13s %s/health/ready  /metrics", service + ":", url(port))));
        if (sandbox != null) {
            out.println("  sandbox API:  " + sandbox.url() + "   (SANDBOX, not a real cluster)");
            out.println("    kubectl --server " + sandbox.url() + " --insecure-skip-tls-verify get deployments -n demo -o wide");
        }
        out.println();
        out.println("Try it: a Docker Hub push of hongxiaolu/iperf3:latest upgrades demo/web");
        out.println("  curl -i -X POST '" + gateway + "/hooks/demo-web?token=" + token
                + "&ns=demo&workload=deployment/web&container=web&repo_type=dockerhub' \\");
        out.println("    -H 'Content-Type: application/json' \\");
        out.println("    -d '{\"push_data\":{\"tag\":\"latest\",\"pusher\":\"hongxiaolu\"},"
                + "\"repository\":{\"repo_name\":\"hongxiaolu/iperf3\"}}'");
        out.println("Scale demo/web up by 2 (a plain POST, as Rancher 1.x receivers took), then ask what became of it:");
        out.println("  curl -s -X POST '" + gateway + "/hooks/web-up?token=" + token + "'");
        out.println("  curl -s " + gateway + "/api/v1/events/<eventId>");
        out.println("Clone the oldest host of group winch.dev/group=workers (MachineDeployment demo/workers), or drain "
                + "and remove one:");
        out.println("  curl -s -X POST '" + gateway + "/hooks/hosts-up?token=" + token + "'");
        out.println("  curl -s -X POST '" + gateway + "/hooks/hosts-down?token=" + token + "'");
        if (sandbox != null) {
            out.println("    kubectl --server " + sandbox.url() + " --insecure-skip-tls-verify get nodes,"
                    + "machinedeployments.cluster.x-k8s.io -A");
        }
        out.println();
        out.println("Notifications (channels in " + work.resolve("channels.yaml") + "):");
        out.println("  mail (SMTP in this JVM, port " + capture.smtpPort() + ") and webhook bodies ("
                + capture.webhookUrl() + "):");
        out.println("  curl -s " + capture.capturedUrl());
        out.println();
    }

    @Override
    public synchronized void close() {
        // SIGTERM first: each service stops polling, finishes in-flight work and commits. Through the process
        // handle, because Process.destroy() also closes our end of its output, and its last lines would be lost.
        processes.values().forEach(process -> process.toHandle().destroy());
        for (Map.Entry<String, Process> entry : processes.entrySet()) {
            try {
                if (!entry.getValue().waitFor(30, TimeUnit.SECONDS)) {
                    entry.getValue().destroyForcibly();
                }
            } catch (InterruptedException e) {
                entry.getValue().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        for (Thread pump : pumps) {
            try {
                pump.join(2_000); // the services' last lines ("stopped") are worth seeing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (sandbox != null) {
            sandbox.close();
            sandbox = null;
        }
        if (capture != null) {
            capture.close();
            capture = null;
        }
    }

    private Path jar(String service) {
        return home.resolve(service).resolve("target").resolve(service + ".jar");
    }

    /** Creates every Winch topic (three partitions each, receivers compacted); existing ones are kept. */
    public static void createTopics(String bootstrapServers) throws Exception {
        TopicCreator.createForSingleBroker(bootstrapServers, 3);
    }

    static Optional<Path> existingKubeconfig(Map<String, String> env) {
        String configured = env.get("KUBECONFIG");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured.split(java.io.File.pathSeparator)[0]);
            return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
        }
        Path home = Path.of(System.getProperty("user.home"), ".kube", "config");
        return Files.isRegularFile(home) ? Optional.of(home) : Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Path findHome() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("gateway"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("run from the Winch source tree (no pom.xml with a gateway/ module found)");
    }
}
