package dev.winch.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (KRaft, one node that is both broker and controller) running in this
 * JVM, on 127.0.0.1, with its data in a fresh temp directory that {@link #close()} removes.
 *
 * <p>{@link #stop()} and {@link #restart()} take the broker away and bring it back on the same
 * ports with the same data, so a test can show what clients do while Kafka is down and that what
 * was acknowledged before is still there afterwards.
 *
 * <p>Needs no Docker, so tests and the local run work on any machine with a JDK.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String HOST = "127.0.0.1";

  /** The SASL_SSL listener's name, as clients see it in metadata. */
  public static final String SASL_SSL_LISTENER = "SASL_SSL";
  /** The SSL listener's name; it requires a client certificate. */
  public static final String SSL_LISTENER = "SSL";
  private static final String STORE_PASSWORD = "broker-store-secret";
  private static final List<String> SASL_MECHANISMS = List.of("SCRAM-SHA-512", "PLAIN", "OAUTHBEARER");

  private final KafkaConfig config;
  private final Path logDir;
  private final String bootstrapServers;
  /** Listener name to host:port, the plaintext one included. */
  private final Map<String, String> listeners;
  /** The broker's keystore, outside the log dir (the broker reads every directory there as a partition); or null. */
  private final Path tlsDir;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The running server; null while stopped. Guarded by {@code this}. */
  private KafkaRaftServer server;

  private EmbeddedKafkaBroker(KafkaRaftServer server, KafkaConfig config, Path logDir, String bootstrapServers,
      Map<String, String> listeners, Path tlsDir) {
    this.server = server;
    this.config = config;
    this.logDir = logDir;
    this.bootstrapServers = bootstrapServers;
    this.listeners = Map.copyOf(listeners);
    this.tlsDir = tlsDir;
  }

  public static EmbeddedKafkaBroker start() {
    return start(Map.of());
  }

  /**
   * Starts a broker and returns once it answers admin requests.
   *
   * @param overrides broker properties that replace the single-node defaults below
   */
  public static EmbeddedKafkaBroker start(Map<String, String> overrides) {
    return start(overrides, null, Map.of());
  }

  /**
   * Starts a broker that, besides its plaintext listener ({@link #bootstrapServers()}, for the test's own setup),
   * serves the listeners a production cluster has, so a test can show a client connecting as it would there:
   *
   * <ul>
   *   <li>{@link #SASL_SSL_LISTENER}: TLS, then a login with SCRAM-SHA-512 or PLAIN as one of {@code users}, or
   *       with OAUTHBEARER and an unsecured token (Kafka's, for tests: any subject is taken);
   *   <li>{@link #SSL_LISTENER}: TLS with a client certificate issued by {@code authority} (mutual TLS).
   * </ul>
   *
   * <p>The broker's certificate is issued by {@code authority} for 127.0.0.1 and localhost, so a client trusting
   * the authority verifies the host name as it should. No authorizer: an authenticated user may do anything.
   *
   * @param users user name to password; the SCRAM credentials are in place when this returns
   */
  public static EmbeddedKafkaBroker startSecured(TestCertificates.Authority authority, Map<String, String> users) {
    return start(Map.of(), authority, users);
  }

  private static EmbeddedKafkaBroker start(Map<String, String> overrides, TestCertificates.Authority authority,
      Map<String, String> users) {
    long started = System.nanoTime();
    Path logDir = createTempDir();
    Path tlsDir = authority == null ? null : createTempDir();
    KafkaRaftServer server = null;
    try {
      int[] ports = freePorts(authority == null ? 2 : 4);
      int brokerPort = ports[0];
      int controllerPort = ports[1];
      Map<String, String> props = defaults(logDir, brokerPort, controllerPort);
      Map<String, String> listeners = new HashMap<>();
      listeners.put("PLAINTEXT", HOST + ":" + brokerPort);
      if (authority != null) {
        listeners.put(SASL_SSL_LISTENER, HOST + ":" + ports[2]);
        listeners.put(SSL_LISTENER, HOST + ":" + ports[3]);
        props.putAll(secureListeners(authority, users, tlsDir, listeners, controllerPort));
      }
      props.putAll(overrides);
      KafkaConfig config = new KafkaConfig(props, false);

      format(config, logDir);
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();

      String bootstrap = HOST + ":" + brokerPort;
      awaitReady(bootstrap);
      if (authority != null) {
        addScramUsers(bootstrap, users, listeners.get(SASL_SSL_LISTENER), authority);
      }
      LOG.info("Kafka broker started on {} in {} ms (data in {})",
          listeners, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), logDir);
      return new EmbeddedKafkaBroker(server, config, logDir, bootstrap, listeners, tlsDir);
    } catch (RuntimeException | Error e) {
      try {
        stop(server);
      } catch (RuntimeException stopFailure) {
        e.addSuppressed(stopFailure);
      } finally {
        deleteRecursively(logDir);
        if (tlsDir != null) {
          deleteRecursively(tlsDir);
        }
      }
      throw e;
    }
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The SASL_SSL listener's address; only on a broker from {@link #startSecured}. */
  public String saslSslBootstrapServers() {
    return listener(SASL_SSL_LISTENER);
  }

  /** The address of the SSL listener that requires a client certificate; only on a broker from {@link #startSecured}. */
  public String sslBootstrapServers() {
    return listener(SSL_LISTENER);
  }

  private String listener(String name) {
    String address = listeners.get(name);
    if (address == null) {
      throw new IllegalStateException("this broker has no " + name + " listener: start it with startSecured");
    }
    return address;
  }

  /** The broker's data directory; gone after {@link #close()}. */
  Path logDir() {
    return logDir;
  }

  /** Whether the broker is running: started, or restarted since the last {@link #stop()}. */
  public synchronized boolean isRunning() {
    return server != null;
  }

  /**
   * Shuts the broker down as a crash-free outage would: its ports stop answering, its data stays
   * on disk for {@link #restart()}. Idempotent; returns once the ports are closed.
   */
  public synchronized void stop() {
    if (closed.get()) {
      throw new IllegalStateException("broker on " + bootstrapServers + " is closed");
    }
    if (server == null) {
      return;
    }
    try {
      stop(server);
    } finally {
      server = null;
    }
    LOG.info("Kafka broker on {} stopped; data kept in {}", bootstrapServers, logDir);
  }

  /**
   * Starts the broker again on the same ports with the same data (stopping it first if it runs) and
   * returns once it answers admin requests. Clients configured with {@link #bootstrapServers()}
   * reconnect on their own; every record acknowledged before the stop is still there.
   */
  public synchronized void restart() {
    if (closed.get()) {
      throw new IllegalStateException("broker on " + bootstrapServers + " is closed");
    }
    stop();
    long started = System.nanoTime();
    // Same KafkaConfig: same node id, listeners, ports and log dir; the dir is formatted already.
    KafkaRaftServer restarted = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      restarted.startup();
      awaitReady(bootstrapServers);
    } catch (RuntimeException | Error e) {
      try {
        stop(restarted);
      } catch (RuntimeException stopFailure) {
        e.addSuppressed(stopFailure);
      }
      throw e;
    }
    server = restarted;
    LOG.info("Kafka broker restarted on {} in {} ms", bootstrapServers,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /** Idempotent: the extension's store and a try-with-resources may both close the broker. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (this) {
      try {
        stop(server);
      } finally {
        server = null;
        deleteRecursively(logDir);
        if (tlsDir != null) {
          deleteRecursively(tlsDir);
        }
      }
    }
    LOG.info("Kafka broker on {} stopped", bootstrapServers);
  }

  /** Settings for one node in both roles: every internal topic must fit on a single replica. */
  private static Map<String, String> defaults(Path logDir, int brokerPort, int controllerPort) {
    Map<String, String> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());

    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.min.isr", "1");
    // The first consumer group creates __consumer_offsets: fewer partitions, faster first poll.
    p.put("offsets.topic.num.partitions", "2");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "2");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Default is 3 s of waiting for more members before the first rebalance: pure delay in tests.
    p.put("group.initial.rebalance.delay.ms", "0");
    // The 128 MiB default is allocated up front and alone can exhaust a small test heap.
    p.put("log.cleaner.dedupe.buffer.size", "2097152");
    p.put("auto.create.topics.enable", "true");
    p.put("num.partitions", "3");
    return p;
  }

  /**
   * The broker side of the secure listeners. The PLAINTEXT listener stays the inter-broker one, so the broker's own
   * traffic and the test's setup need no credentials.
   */
  private static Map<String, String> secureListeners(TestCertificates.Authority authority, Map<String, String> users,
      Path dir, Map<String, String> listeners, int controllerPort) {
    Path keystore = authority.issue("localhost", "localhost", HOST)
        .writeKeystore(dir.resolve("broker-keystore.p12"), STORE_PASSWORD);
    Map<String, String> p = new HashMap<>();
    StringBuilder listenerList = new StringBuilder();
    StringBuilder advertised = new StringBuilder();
    listeners.forEach((name, address) -> {
      advertised.append(advertised.length() == 0 ? "" : ",").append(name).append("://").append(address);
      listenerList.append(',').append(name).append("://").append(address);
    });
    p.put("listeners", listenerList.substring(1) + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
        + controllerPort);
    p.put("advertised.listeners", advertised.toString());
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT,"
        + SASL_SSL_LISTENER + ":SASL_SSL," + SSL_LISTENER + ":SSL");
    for (String listener : List.of(SASL_SSL_LISTENER, SSL_LISTENER)) {
      String prefix = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
      p.put(prefix + "ssl.keystore.type", "PKCS12");
      p.put(prefix + "ssl.keystore.location", keystore.toString());
      p.put(prefix + "ssl.keystore.password", STORE_PASSWORD);
      p.put(prefix + "ssl.key.password", STORE_PASSWORD);
    }
    String ssl = "listener.name." + SSL_LISTENER.toLowerCase(Locale.ROOT) + ".";
    p.put(ssl + "ssl.client.auth", "required");
    p.put(ssl + "ssl.truststore.type", "PEM");
    p.put(ssl + "ssl.truststore.certificates", authority.certificatePem());

    String sasl = "listener.name." + SASL_SSL_LISTENER.toLowerCase(Locale.ROOT) + ".";
    p.put("sasl.enabled.mechanisms", String.join(",", SASL_MECHANISMS));
    p.put(sasl + "sasl.enabled.mechanisms", String.join(",", SASL_MECHANISMS));
    p.put(sasl + "scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    StringBuilder plain = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
    users.forEach((user, password) -> plain.append(" user_").append(user).append("=\"").append(password)
        .append('"'));
    p.put(sasl + "plain.sasl.jaas.config", plain.append(';').toString());
    // Kafka's unsecured JWTs (alg "none", no identity provider): enough to show a client's OAUTHBEARER settings
    // reach the broker; a real cluster validates signed tokens against its identity provider's keys.
    p.put(sasl + "oauthbearer.sasl.jaas.config",
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
    return p;
  }

  /**
   * SCRAM credentials live in the cluster metadata: written through the controller, then taken up by the broker a
   * moment later. Returns once each user can log in on the SASL_SSL listener.
   */
  private static void addScramUsers(String plaintext, Map<String, String> users, String saslSsl,
      TestCertificates.Authority authority) {
    List<UserScramCredentialAlteration> upserts = new ArrayList<>();
    users.forEach((user, password) -> upserts.add(new UserScramCredentialUpsertion(user,
        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", plaintext))) {
      admin.alterUserScramCredentials(upserts).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while adding SCRAM users", e);
    } catch (Exception e) {
      throw new IllegalStateException("could not add SCRAM users on " + plaintext, e);
    }
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    for (Map.Entry<String, String> user : users.entrySet()) {
      Map<String, Object> login = new HashMap<>();
      login.put("bootstrap.servers", saslSsl);
      login.put("security.protocol", "SASL_SSL");
      login.put("sasl.mechanism", "SCRAM-SHA-512");
      login.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
          + user.getKey() + "\" password=\"" + user.getValue() + "\";");
      login.put("ssl.truststore.type", "PEM");
      login.put("ssl.truststore.certificates", authority.certificatePem());
      while (true) {
        try (Admin admin = Admin.create(login)) {
          admin.describeCluster().nodes().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          break;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for SCRAM user " + user.getKey(), e);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof SaslAuthenticationException) || System.nanoTime() > deadline) {
            throw new IllegalStateException("SCRAM user " + user.getKey() + " cannot log in on " + saslSsl, e);
          }
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IllegalStateException("SCRAM user " + user.getKey() + " cannot log in on " + saslSsl, e);
        }
        // The credential is committed; the broker takes it up within milliseconds.
        sleep(50);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void format(KafkaConfig config, Path logDir) {
    // The formatter reports on a PrintStream (meant for the CLI); keep it off the test output.
    PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
    try {
      new Formatter()
          .setPrintStream(silent)
          .setClusterId(Uuid.randomUuid().toString())
          .setNodeId(NODE_ID)
          .setControllerListenerName(CONTROLLER_LISTENER)
          .addDirectory(logDir.toString())
          .setMetadataLogDirectory(config.metadataLogDir())
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("could not format Kafka log dir " + logDir, e);
    }
  }

  /** startup() returns once the broker is unfenced; this proves a client can really talk to it. */
  private static void awaitReady(String bootstrap) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      int nodes = admin.describeCluster().nodes().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
      if (nodes != 1) {
        throw new IllegalStateException("broker on " + bootstrap + " reports " + nodes + " nodes, expected 1");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker on " + bootstrap, e);
    } catch (Exception e) {
      throw new IllegalStateException("broker on " + bootstrap + " did not answer within " + ADMIN_TIMEOUT, e);
    }
  }

  private static void stop(KafkaRaftServer server) {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
    }
  }

  /**
   * Kafka needs fixed ports in its config (the controller voter address must be known before
   * start), so ask the OS for free ones. Another process could grab one before the broker binds;
   * on a test machine that is rare enough to accept.
   */
  private static int[] freePorts(int count) {
    // All sockets are held open until every port is known, so the OS cannot hand out one port twice.
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        socket.setReuseAddress(true);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST, e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException e) {
          // nothing to do: the port is free again either way
        }
      }
    }
  }

  private static Path createTempDir() {
    try {
      return Files.createTempDirectory("winch-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a Kafka log dir", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not delete Kafka log dir {}: {}", dir, e.toString());
    }
  }
}
