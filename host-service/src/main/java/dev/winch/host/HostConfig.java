package dev.winch.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.common.config.Env;
import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.kubernetes.KubernetesNames;
import dev.winch.kubernetes.KubernetesConfig;
import dev.winch.kubernetes.KubernetesServiceConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The host service's configuration: the common runtime settings plus its own. The cluster comes from
 * {@code KUBECONFIG} or the in-cluster service account.
 *
 * @param runtime            the common settings
 * @param kubernetes         how the API server is reached ({@code WINCH_KUBERNETES_*})
 * @param namespace          {@code WINCH_HOST_NAMESPACE} (default {@value #DEFAULT_NAMESPACE}): where the per-group
 *                           ledger ConfigMaps live (Winch's own namespace)
 * @param drainTimeout       {@code WINCH_HOST_DRAIN_TIMEOUT} (default 5m): how long a drain may wait for its pods
 *                           to go (a PodDisruptionBudget refusing evictions) before the host is left cordoned
 * @param drainRetryInterval {@code WINCH_HOST_DRAIN_RETRY_INTERVAL} (default 5s): between evictions refused with 429
 * @param drainConcurrency   {@code WINCH_HOST_DRAIN_CONCURRENCY} (default 3, 1 to 50): hosts drained at once
 * @param execCommand        {@code WINCH_HOST_EXEC_COMMAND}: the exec provider's command as a JSON array of
 *                           strings ({@code ["/opt/winch/hosts.sh","--region","eu"]}); unset = no exec provider
 * @param execTimeout        {@code WINCH_HOST_EXEC_TIMEOUT} (default 10m): one run of the command
 * @param joinTimeout        {@code WINCH_HOST_JOIN_TIMEOUT} (default 15m): how long new hosts have to join the group
 *                           and become Ready before the follow-up result says they did not
 * @param joinPollInterval   {@code WINCH_HOST_JOIN_POLL_INTERVAL} (default 10s): how often the group is read then
 * @param instanceId         {@code WINCH_INSTANCE_ID}, else {@code HOSTNAME}, else random: names this replica in
 *                           results ({@code details.instance})
 */
public record HostConfig(RuntimeConfig runtime, KubernetesConfig kubernetes, String namespace, Duration drainTimeout,
        Duration drainRetryInterval, int drainConcurrency, Optional<List<String>> execCommand, Duration execTimeout,
        Duration joinTimeout, Duration joinPollInterval, String instanceId) implements KubernetesServiceConfig {

    public static final String NAMESPACE = "WINCH_HOST_NAMESPACE";
    public static final String DRAIN_TIMEOUT = "WINCH_HOST_DRAIN_TIMEOUT";
    public static final String DRAIN_RETRY_INTERVAL = "WINCH_HOST_DRAIN_RETRY_INTERVAL";
    public static final String DRAIN_CONCURRENCY = "WINCH_HOST_DRAIN_CONCURRENCY";
    public static final String EXEC_COMMAND = "WINCH_HOST_EXEC_COMMAND";
    public static final String EXEC_TIMEOUT = "WINCH_HOST_EXEC_TIMEOUT";
    public static final String JOIN_TIMEOUT = "WINCH_HOST_JOIN_TIMEOUT";
    public static final String JOIN_POLL_INTERVAL = "WINCH_HOST_JOIN_POLL_INTERVAL";
    public static final String INSTANCE_ID = "WINCH_INSTANCE_ID";
    public static final String DEFAULT_NAMESPACE = "winch";

    public static HostConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        RuntimeConfig runtime = RuntimeConfig.fromEnv("host", env);
        String namespace = env.string(NAMESPACE, DEFAULT_NAMESPACE);
        KubernetesNames.dns1123LabelProblem(namespace).ifPresent(problem ->
                env.problem(NAMESPACE + " must be a namespace name: " + problem + ", got '" + namespace + "'"));
        Duration drainTimeout = env.duration(DRAIN_TIMEOUT, Duration.ofMinutes(5), Duration.ofSeconds(1));
        Duration drainRetry = env.duration(DRAIN_RETRY_INTERVAL, Duration.ofSeconds(5), Duration.ofMillis(100));
        int concurrency = env.integer(DRAIN_CONCURRENCY, 3, 1, 50);
        Optional<List<String>> command = env.optional(EXEC_COMMAND).flatMap(raw -> command(env, raw));
        Duration execTimeout = env.duration(EXEC_TIMEOUT, Duration.ofMinutes(10), Duration.ofSeconds(1));
        Duration joinTimeout = env.duration(JOIN_TIMEOUT, Duration.ofMinutes(15), Duration.ofSeconds(1));
        Duration joinPoll = env.duration(JOIN_POLL_INTERVAL, Duration.ofSeconds(10), Duration.ofMillis(100));
        String instance = env.optional(INSTANCE_ID).or(() -> env.optional("HOSTNAME"))
                .orElseGet(() -> "host-" + UUID.randomUUID().toString().substring(0, 8));
        HostConfig config = new HostConfig(runtime, KubernetesConfig.fromEnv(env, runtime), namespace, drainTimeout,
                drainRetry, concurrency, command, execTimeout, joinTimeout, joinPoll, instance);
        env.validate();
        return config;
    }

    /** A JSON array of non-empty strings: the program, then its arguments. Never split on spaces, never a shell. */
    private static Optional<List<String>> command(Env env, String raw) {
        String problem = EXEC_COMMAND + " must be a JSON array of strings, the program first (e.g. "
                + "[\"/opt/winch/hosts.sh\",\"--region\",\"eu\"])";
        try {
            JsonNode node = new ObjectMapper().readTree(raw);
            if (node == null || !node.isArray() || node.isEmpty()) {
                env.problem(problem + ", got '" + raw + "'");
                return Optional.empty();
            }
            List<String> command = new ArrayList<>();
            for (JsonNode part : node) {
                if (!part.isTextual() || (command.isEmpty() && part.asText().isBlank())) {
                    env.problem(problem + "; element " + command.size() + " is " + part);
                    return Optional.empty();
                }
                command.add(part.asText());
            }
            return Optional.of(List.copyOf(command));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            env.problem(problem + ", got '" + raw + "'");
            return Optional.empty();
        }
    }
}
