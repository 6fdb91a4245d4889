package dev.winch.scaler.kubernetes;

import dev.winch.common.event.WorkloadRef;
import dev.winch.common.runtime.Blocking;
import dev.winch.kubernetes.WorkloadKind;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the HorizontalPodAutoscaler that owns a workload's replica count, if any, through whichever
 * {@code autoscaling} version the API server serves.
 *
 * <p>The versions differ by cluster: {@code autoscaling/v2} from Kubernetes 1.23, {@code v2beta2} from 1.12 to
 * 1.25, {@code v1} on every version. The API server converts every HPA to every version it serves and
 * {@code scaleTargetRef} is the same in all of them, so any one of them tells whether an HPA targets the workload.
 * The newest served one is read (a future release may drop {@code v1} first).
 *
 * <p><b>Discovery.</b> The served versions come from {@code GET /apis/autoscaling} and are kept for
 * {@link #REDISCOVER_AFTER}, so a scale does not pay for a discovery call. A cluster upgrade that adds a version is
 * picked up at the next discovery; one that removes the version in use (v2beta2 in 1.26) answers its list with 404,
 * which triggers a discovery at once and one more read.
 *
 * <p><b>An optional API never fails a scale.</b> A server that serves no {@code autoscaling} group has no HPAs: the
 * check finds none. When discovery itself fails (a 5xx, a timeout, an unreadable answer), the versions are tried
 * in order, newest first, a 404 meaning "not served"; the failure is logged and counted
 * ({@code winch_scaler_hpa_discovery_failures_total}) and discovery is tried again on the next check. Only a failure
 * to read the HPAs of a served version (the API server down, 403 because the service account may not list HPAs)
 * fails the check: scaling a workload without knowing whether an HPA owns it is what this check exists to prevent,
 * so that is left to the consumer's retry.
 */
public final class HorizontalPodAutoscalers {

    private static final Logger LOG = LoggerFactory.getLogger(HorizontalPodAutoscalers.class);

    /** How long the served versions are trusted before they are discovered again. */
    public static final Duration REDISCOVER_AFTER = Duration.ofMinutes(10);

    static final String GROUP = "autoscaling";

    /** The versions Winch can read, newest first. */
    public enum ApiVersion {
        V2("v2"),
        V2BETA2("v2beta2"),
        V1("v1");

        private final String version;
        private final ResourceDefinitionContext context;

        ApiVersion(String version) {
            this.version = version;
            this.context = new ResourceDefinitionContext.Builder().withGroup(GROUP).withVersion(version)
                    .withKind("HorizontalPodAutoscaler").withPlural("horizontalpodautoscalers").withNamespaced(true)
                    .build();
        }

        /** {@code autoscaling/v2}. */
        public String groupVersion() {
            return GROUP + "/" + version;
        }

        static Optional<ApiVersion> newestOf(Set<String> servedGroupVersions) {
            return Stream.of(values()).filter(v -> servedGroupVersions.contains(v.groupVersion())).findFirst();
        }
    }

    /** What the API server was found to serve, and when: {@code version} empty when it serves none Winch reads. */
    private record Served(Optional<ApiVersion> version, Instant at) {
    }

    /** An HPA's name and its {@code scaleTargetRef}, the same in every version. */
    record Target(String hpa, String apiVersion, String kind, String name) {
    }

    private final KubernetesClient client;
    private final KubernetesClient discovery;
    private final Blocking blocking;
    private final Clock clock;
    private final Counter discoveryFailures;
    private volatile Served served;

    public HorizontalPodAutoscalers(KubernetesClient client, Blocking blocking, Clock clock, MeterRegistry registry) {
        this.client = client;
        // Without retries: the client retries a 5xx ten times with backoff (about 20 s), and a failing discovery
        // has a cheaper way out (trying the versions) that must fit in the blocking call's time too.
        this.discovery = client.newClient(new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                .withRequestRetryBackoffLimit(0).build()).adapt(KubernetesClient.class);
        this.blocking = blocking;
        this.clock = clock;
        this.discoveryFailures = Counter.builder("winch_scaler_hpa_discovery_failures_total")
                .description("Discoveries of the served autoscaling versions that failed; the versions were tried "
                        + "in order instead")
                .register(registry);
    }

    /** The name of an HPA in the workload's namespace whose {@code scaleTargetRef} is the workload. */
    public Future<Optional<String>> managing(WorkloadRef ref) {
        WorkloadKind kind = Workloads.scalable(ref.kind())
                .orElseThrow(() -> new IllegalArgumentException("a " + ref.kind() + " cannot be scaled"));
        return blocking.call(() -> find(ref.namespace(), kind, ref.name()));
    }

    /** The version the last discovery chose, if any was made; for tests and logs. */
    Optional<ApiVersion> servedVersion() {
        Served current = served;
        return current == null ? Optional.empty() : current.version();
    }

    private Optional<String> find(String namespace, WorkloadKind kind, String name) {
        Served current = served;
        if (current == null || !clock.instant().isBefore(current.at().plus(REDISCOVER_AFTER))) {
            current = discover(namespace);
        }
        if (current.version().isEmpty()) {
            return Optional.empty();
        }
        Optional<List<Target>> listed = list(current.version().get(), namespace);
        if (listed.isEmpty()) {
            // The version in use went away under us (a cluster upgrade): learn what is served now, read once more.
            current = discover(namespace);
            if (current.version().isEmpty()) {
                return Optional.empty();
            }
            listed = list(current.version().get(), namespace);
        }
        return listed.orElse(List.of()).stream()
                .filter(target -> targets(target, kind, name))
                .map(Target::hpa)
                .sorted()
                .findFirst();
    }

    /**
     * Runs a discovery and keeps its answer. When it fails, probes each version instead; that answer is kept with
     * the time {@link Instant#MIN}, so the next check tries discovery again.
     */
    private Served discover(String namespace) {
        Optional<ApiVersion> version;
        try {
            APIGroup group = discovery.getApiGroup(GROUP);
            Set<String> servedVersions = group == null || group.getVersions() == null ? Set.of()
                    : group.getVersions().stream().map(GroupVersionForDiscovery::getGroupVersion)
                            .collect(Collectors.toSet());
            version = ApiVersion.newestOf(servedVersions);
        } catch (KubernetesClientException e) {
            discoveryFailures.increment();
            LOG.warn("Discovery of the served {} versions failed ({}); trying each version in turn", GROUP,
                    reason(e));
            Served probed = new Served(probe(namespace), Instant.MIN);
            remember(probed);
            return probed;
        }
        Served found = new Served(version, clock.instant());
        remember(found);
        return found;
    }

    /**
     * The newest version whose list does not answer 404. Probed in the workload's namespace, the one the service
     * account is sure to be allowed to read.
     */
    private Optional<ApiVersion> probe(String namespace) {
        for (ApiVersion version : ApiVersion.values()) {
            if (list(version, namespace).isPresent()) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }

    private void remember(Served now) {
        Served before = served;
        served = now;
        if (before == null || !before.version().equals(now.version())) {
            if (now.version().isPresent()) {
                LOG.info("HorizontalPodAutoscalers are read through {}", now.version().get().groupVersion());
            } else {
                LOG.warn("The API server serves no {} version Winch reads ({}): there can be no "
                        + "HorizontalPodAutoscaler, workloads are scaled without that check", GROUP,
                        Stream.of(ApiVersion.values()).map(ApiVersion::groupVersion).collect(Collectors.joining(", ")));
            }
        }
    }

    /** The HPAs of {@code namespace} read through {@code version}; empty when the server does not serve it (404). */
    private Optional<List<Target>> list(ApiVersion version, String namespace) {
        try {
            // Read as generic resources: one path for every version, as scaleTargetRef is the same in all of them.
            return Optional.of(client.genericKubernetesResources(version.context).inNamespace(namespace).list()
                    .getItems().stream()
                    .map(hpa -> new Target(hpa.getMetadata().getName(),
                            hpa.get("spec", "scaleTargetRef", "apiVersion"),
                            hpa.get("spec", "scaleTargetRef", "kind"),
                            hpa.get("spec", "scaleTargetRef", "name")))
                    .toList());
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    static boolean targets(Target target, WorkloadKind kind, String name) {
        if (target.kind() == null || !kind.apiKind().equalsIgnoreCase(target.kind()) || !name.equals(target.name())) {
            return false;
        }
        String apiVersion = target.apiVersion();
        // apps/v1 today; extensions/v1beta1 on HPAs written for old clusters; unset is accepted by the API server.
        return apiVersion == null || apiVersion.startsWith("apps/") || apiVersion.startsWith("extensions/");
    }

    private static String reason(KubernetesClientException e) {
        return e.getCode() > 0 ? e.getCode() + " " + e.getMessage() : e.getMessage();
    }
}
