package dev.winch.common.kafka;

import dev.winch.common.config.Env;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The Kafka client settings of a service, from its {@code KAFKA_*} environment variables, on top of the defaults
 * of {@link KafkaSettings}: what a real cluster needs (TLS, mTLS, SASL, timeouts, client tuning) without Winch
 * knowing each setting by name.
 *
 * <p>The rule, as Kafka's own container images apply it: strip {@code KAFKA_}, lower-case the rest, and read
 * {@code _} as {@code .}, {@code __} as {@code -} and {@code ___} as {@code _}. So
 * {@code KAFKA_SECURITY_PROTOCOL} is {@code security.protocol} and {@code KAFKA_SASL_JAAS_CONFIG} is
 * {@code sasl.jaas.config}. Such a setting goes to every client that knows it (a producer setting to the producer
 * only); {@code KAFKA_PRODUCER_}, {@code KAFKA_CONSUMER_} and {@code KAFKA_ADMIN_} give a setting to that client
 * alone, and win over the unprefixed one.
 *
 * <p>Refused, each with a problem naming its variable: a name that is no setting of the client it is meant for (a
 * typo would otherwise be ignored by Kafka with a warning, and show up later as a TLS or login failure), a value
 * Kafka would not take, and the settings Winch relies on ({@link #PROTECTED}). Not read at all: the variables
 * Kubernetes defines for a Service whose name starts with {@code kafka} ({@code KAFKA_SERVICE_HOST},
 * {@code KAFKA_PORT_9092_TCP}, ...) and those of Kafka's own scripts ({@code KAFKA_HEAP_OPTS}, ...).
 *
 * <p>{@link #toString()} masks every value that could be a secret (see {@link #isSecret(String)}): it is what the
 * start-up line prints.
 */
public final class KafkaClientSettings {

    public static final String PREFIX = "KAFKA_";
    public static final String BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
    static final String MASK = "******";

    /**
     * Settings Winch sets itself, with the reason a user could not change them without breaking a promise Winch
     * makes. {@code bootstrap.servers} is set by {@code KAFKA_BOOTSTRAP_SERVERS} alone: one cluster for every client.
     */
    public static final Map<String, String> PROTECTED = protectedSettings();

    /** The variables of Kafka's own start scripts, which a container may carry and which are no client settings. */
    private static final Set<String> SCRIPT_VARIABLES = Set.of("KAFKA_DEBUG", "KAFKA_OPTS", "KAFKA_VERSION",
            "KAFKA_HOME", "KAFKA_CHECKSUM", "KAFKA_LOG4J_OPTS", "KAFKA_HEAP_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS",
            "KAFKA_GC_LOG_OPTS", "KAFKA_JMX_OPTS");

    /**
     * What Kubernetes puts in every pod for each Service of its namespace (unless {@code enableServiceLinks} is
     * off): {@code <NAME>_SERVICE_HOST}, {@code <NAME>_SERVICE_PORT[_<PORT NAME>]}, {@code <NAME>_PORT} and
     * {@code <NAME>_PORT_<port>_<PROTOCOL>[_PROTO|_PORT|_ADDR]}. A Service named {@code kafka} (or
     * {@code kafka-ui}, ...) would otherwise read as client settings no client knows.
     */
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "KAFKA(_[A-Z0-9_]+?)?_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)");

    private static final Pattern UNDERSCORES = Pattern.compile("_+");

    /** The clients a setting may be given to. */
    public enum Client {
        PRODUCER("KAFKA_PRODUCER_", ProducerConfig.configDef()),
        CONSUMER("KAFKA_CONSUMER_", ConsumerConfig.configDef()),
        ADMIN("KAFKA_ADMIN_", AdminClientConfig.configDef());

        private final String prefix;
        private final ConfigDef definition;

        Client(String prefix, ConfigDef definition) {
            this.prefix = prefix;
            this.definition = definition;
        }

        String displayName() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean knows(String property) {
            return definition.configKeys().containsKey(property);
        }
    }

    private final String bootstrapServers;
    /** Per client, the user's settings as they apply to it: unprefixed ones it knows, then its own. */
    private final Map<Client, Map<String, String>> perClient;
    /** For the start-up line: every setting as shown, {@code producer.} etc. in front of a client's own. */
    private final Map<String, String> shownSettings;

    private KafkaClientSettings(String bootstrapServers, Map<Client, Map<String, String>> perClient,
            Map<String, String> shownSettings) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers);
        Map<Client, Map<String, String>> copy = new HashMap<>();
        for (Client client : Client.values()) {
            copy.put(client, Map.copyOf(perClient.getOrDefault(client, Map.of())));
        }
        this.perClient = Map.copyOf(copy);
        this.shownSettings = Collections.unmodifiableMap(new TreeMap<>(shownSettings));
    }

    /** Only a bootstrap address: a plaintext cluster, as before any {@code KAFKA_*} setting existed. */
    public static KafkaClientSettings plaintext(String bootstrapServers) {
        return new KafkaClientSettings(bootstrapServers, Map.of(), Map.of());
    }

    /**
     * Reads every {@code KAFKA_*} variable but {@code KAFKA_BOOTSTRAP_SERVERS} (read and checked by the caller);
     * problems are left in {@code env}.
     */
    public static KafkaClientSettings fromEnv(Env env, String bootstrapServers) {
        Map<Client, Map<String, String>> common = new HashMap<>();
        Map<Client, Map<String, String>> own = new HashMap<>();
        Map<String, String> shownSettings = new HashMap<>();
        for (Map.Entry<String, String> variable : env.startingWith(PREFIX).entrySet()) {
            String name = variable.getKey();
            if (name.equals(BOOTSTRAP_SERVERS) || SCRIPT_VARIABLES.contains(name)
                    || SERVICE_LINK.matcher(name).matches()) {
                continue;
            }
            Client scope = scopeOf(name);
            String rest = name.substring(scope == null ? PREFIX.length() : scope.prefix.length());
            String property = propertyName(rest);
            if (property == null) {
                env.problem(name + " is not a Kafka client setting: write '.' as _, '-' as __ and '_' as ___");
                continue;
            }
            List<Client> clients = scope == null
                    ? List.of(Client.values()).stream().filter(c -> c.knows(property)).toList()
                    : scope.knows(property) ? List.of(scope) : List.of();
            if (clients.isEmpty()) {
                env.problem(name + " names '" + property + "', which is not a setting of the Kafka "
                        + (scope == null ? "producer, consumer or admin client" : scope.displayName()));
                continue;
            }
            String reason = property.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                    ? "set " + BOOTSTRAP_SERVERS + ": every client of a service talks to the same cluster"
                    : PROTECTED.get(property);
            if (reason != null) {
                env.problem(name + " cannot be set: Winch sets " + property + " itself (" + reason + ")");
                continue;
            }
            String value = variable.getValue();
            String invalid = invalidValue(clients, property, value);
            if (invalid != null) {
                env.problem(name + ": " + invalid);
                continue;
            }
            Map<Client, Map<String, String>> target = scope == null ? common : own;
            clients.forEach(c -> target.computeIfAbsent(c, k -> new HashMap<>()).put(property, value));
            shownSettings.put(scope == null ? property : scope.displayName() + "." + property, shown(property, value));
        }
        Map<Client, Map<String, String>> perClient = new HashMap<>();
        for (Client client : Client.values()) {
            Map<String, String> settings = new HashMap<>(common.getOrDefault(client, Map.of()));
            settings.putAll(own.getOrDefault(client, Map.of()));
            perClient.put(client, settings);
        }
        KafkaClientSettings settings = new KafkaClientSettings(bootstrapServers, perClient, shownSettings);
        settings.checkTogether(env);
        return settings;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The user's settings for one client, without Winch's defaults (for tests and diagnostics). */
    public Map<String, String> given(Client client) {
        return perClient.get(client);
    }

    /** {@link KafkaSettings#producer} with the user's producer settings. */
    public Map<String, String> producer(String clientId) {
        Map<String, String> config = KafkaSettings.producer(bootstrapServers, clientId);
        config.putAll(perClient.get(Client.PRODUCER));
        return config;
    }

    /** {@link KafkaSettings#consumer} with the user's consumer settings. */
    public Map<String, Object> consumer(String groupId, String clientId) {
        Map<String, Object> config = KafkaSettings.consumer(bootstrapServers, groupId, clientId);
        config.putAll(perClient.get(Client.CONSUMER));
        return config;
    }

    /** {@link KafkaSettings#reader} with the user's consumer settings. */
    public Map<String, Object> reader() {
        Map<String, Object> config = KafkaSettings.reader(bootstrapServers);
        config.putAll(perClient.get(Client.CONSUMER));
        return config;
    }

    /** {@link KafkaSettings#admin} with the user's admin settings. */
    public Map<String, String> admin() {
        Map<String, String> config = KafkaSettings.admin(bootstrapServers);
        config.putAll(perClient.get(Client.ADMIN));
        return config;
    }

    /**
     * Whether a setting's value must not be printed: its name has a part that says password, jaas, secret or token
     * ({@code ssl.key.password}, {@code sasl.jaas.config}, {@code sasl.oauthbearer.client.credentials.client.secret})
     * or a part that is {@code key} ({@code ssl.keystore.key}, {@code sasl.oauthbearer.assertion.private.key.file}).
     */
    public static boolean isSecret(String property) {
        for (String part : property.toLowerCase(Locale.ROOT).split("[.\\-_]")) {
            if (part.equals("key") || part.contains("password") || part.contains("jaas") || part.contains("secret")
                    || part.contains("token")) {
                return true;
            }
        }
        return false;
    }

    /** The value as the start-up line shows it: secrets masked, PEM blocks (one line each would break it) named. */
    static String shown(String property, String value) {
        if (isSecret(property) || value.contains("PRIVATE KEY")) {
            return MASK;
        }
        if (value.contains("-----BEGIN ")) {
            int blocks = value.split("-----BEGIN ", -1).length - 1;
            return "(PEM, " + blocks + (blocks == 1 ? " block)" : " blocks)");
        }
        return value;
    }

    @Override
    public String toString() {
        StringBuilder line = new StringBuilder("{bootstrap.servers=").append(bootstrapServers);
        shownSettings.forEach((setting, shown) -> line.append(", ").append(setting).append('=').append(shown));
        return line.append('}').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaClientSettings other && bootstrapServers.equals(other.bootstrapServers)
                && perClient.equals(other.perClient);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bootstrapServers, perClient);
    }

    // ---------------------------------------------------------------- parsing

    private static Client scopeOf(String name) {
        for (Client client : Client.values()) {
            if (name.startsWith(client.prefix) && name.length() > client.prefix.length()) {
                return client;
            }
        }
        return null;
    }

    /** {@code SSL_KEYSTORE_TYPE} to {@code ssl.keystore.type}; null when a run of underscores has no meaning. */
    static String propertyName(String rest) {
        if (rest.isEmpty() || rest.startsWith("_") || rest.endsWith("_")) {
            return null;
        }
        Matcher runs = UNDERSCORES.matcher(rest.toLowerCase(Locale.ROOT));
        StringBuilder property = new StringBuilder();
        while (runs.find()) {
            String replacement = switch (runs.group().length()) {
                case 1 -> ".";
                case 2 -> "-";
                case 3 -> "_";
                default -> null;
            };
            if (replacement == null) {
                return null;
            }
            runs.appendReplacement(property, Matcher.quoteReplacement(replacement));
        }
        runs.appendTail(property);
        return property.toString();
    }

    /** Kafka's own parse and validation of one value, as each client that takes it would do; null when valid. */
    private static String invalidValue(List<Client> clients, String property, String value) {
        for (Client client : clients) {
            ConfigDef.ConfigKey key = client.definition.configKeys().get(property);
            try {
                Object parsed = ConfigDef.parseType(property, value, key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(property, parsed);
                }
            } catch (ConfigException e) {
                // Kafka's message quotes the value: not one that may be a secret, nor a PEM's line breaks.
                String message = isSecret(property) ? e.getMessage().replace(value, MASK) : e.getMessage();
                return message.replace('\n', ' ');
            }
        }
        return null;
    }

    /**
     * What one value cannot show: settings that only fail together (idempotence and in-flight requests, a
     * truststore type with the wrong kind of truststore). Kafka checks them when a client is built; here they fail
     * at start instead, before anything connects.
     */
    private void checkTogether(Env env) {
        Map<String, String> producer = perClient.get(Client.PRODUCER);
        String inFlight = producer.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        if (inFlight != null && Integer.parseInt(inFlight.trim()) > 5) {
            env.problem(variableFor(Client.PRODUCER, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)
                    + " must be at most 5: the producer is idempotent");
        }
        String retries = producer.get(ProducerConfig.RETRIES_CONFIG);
        if (retries != null && Integer.parseInt(retries.trim()) == 0) {
            env.problem(variableFor(Client.PRODUCER, ProducerConfig.RETRIES_CONFIG)
                    + " must not be 0: the producer is idempotent");
        }
        Map<String, String> effective = producer("winch-config-check");
        long delivery = Long.parseLong(effective.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG).trim());
        long request = Long.parseLong(effective.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG).trim());
        long linger = Long.parseLong(effective.get(ProducerConfig.LINGER_MS_CONFIG).trim());
        if (delivery < request + linger) {
            env.problem("the producer's delivery.timeout.ms (" + delivery + ") must be at least its request.timeout.ms"
                    + " + linger.ms (" + (request + linger) + "): set KAFKA_PRODUCER_DELIVERY_TIMEOUT_MS as well");
        }
        // The producer's own checks are those above; ProducerConfig has no constructor that does not log.
        try {
            new ConsumerConfig(new HashMap<>(consumer("winch-config-check", "winch-config-check")), false) {
            };
            new AdminClientConfig(new HashMap<>(admin()), false) {
            };
        } catch (ConfigException e) {
            env.problem("the KAFKA_* settings do not fit together: " + e.getMessage());
        }
    }

    /** The variable a setting of {@code client} came from, for messages about settings already read. */
    private String variableFor(Client client, String property) {
        String variable = property.replace("_", "___").replace("-", "__").replace('.', '_').toUpperCase(Locale.ROOT);
        return shownSettings.containsKey(client.displayName() + "." + property) ? client.prefix + variable
                : PREFIX + variable;
    }

    private static Map<String, String> protectedSettings() {
        Map<String, String> reasons = new TreeMap<>();
        String serde = "records are CloudEvents with string keys and byte values";
        reasons.put(CommonClientConfigs.CLIENT_ID_CONFIG,
                "each client is named after its service and topics, in metrics and broker logs");
        reasons.put(ProducerConfig.ACKS_CONFIG,
                "a write is acknowledged only once every in-sync replica has it: acks=all");
        reasons.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "a retried write must never store an event twice");
        reasons.put(ProducerConfig.MAX_BLOCK_MS_CONFIG,
                "a send must not block the event loop; the publisher bounds the wait itself");
        reasons.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "Winch writes without transactions, and replicas sharing one id would fence each other");
        reasons.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, serde);
        reasons.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, serde);
        reasons.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, serde);
        reasons.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, serde);
        reasons.put(ConsumerConfig.GROUP_ID_CONFIG, "the consumer group is WINCH_CONSUMER_GROUP");
        reasons.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                "replicas share one environment, so they would share one static member id");
        reasons.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "an offset is committed only after its event was handled");
        reasons.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "a new group starts at the earliest offset, or the events written before it would be skipped");
        return Collections.unmodifiableMap(reasons);
    }

    /** The names of every setting some client takes (for documentation and tests). */
    static Set<String> knownSettings() {
        return List.of(Client.values()).stream()
                .flatMap(c -> c.definition.configKeys().keySet().stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
