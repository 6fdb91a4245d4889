package dev.winch.local.k8s;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.util.Map;

/**
 * The typed model each rendered object must fit: fabric8's for Kubernetes' own kinds and the Prometheus Operator's,
 * Strimzi's published API model for its kinds. Parsing is strict, as a real API server's field validation is: a
 * field the model does not know fails (the models would otherwise keep it aside as an "additional property", and
 * an API server would drop it or refuse the object), naming the path to it.
 *
 * <p>KEDA publishes no Java model; its objects are checked field by field where they are used.
 */
public final class Models {

    private static final String STRIMZI_V1 = "kafka.strimzi.io/v1";

    /**
     * "apiVersion kind" to the model class. An object of any other type fails: nothing would check it. The custom
     * Prometheus Operator's API version is the one its model classes declare.
     */
    public static final Map<String, Class<?>> TYPED = Map.ofEntries(
            Map.entry("v1 Namespace", Namespace.class),
            Map.entry("v1 ConfigMap", ConfigMap.class),
            Map.entry("v1 Secret", Secret.class),
            Map.entry("v1 ServiceAccount", ServiceAccount.class),
            Map.entry("v1 Service", Service.class),
            Map.entry("apps/v1 Deployment", Deployment.class),
            Map.entry("rbac.authorization.k8s.io/v1 ClusterRole", ClusterRole.class),
            Map.entry("rbac.authorization.k8s.io/v1 ClusterRoleBinding", ClusterRoleBinding.class),
            Map.entry("rbac.authorization.k8s.io/v1 Role", Role.class),
            Map.entry("rbac.authorization.k8s.io/v1 RoleBinding", RoleBinding.class),
            Map.entry("networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class),
            Map.entry("policy/v1 PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("autoscaling/v2 HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            declared(PodMonitor.class),
            declared(PrometheusRule.class),
            // Strimzi's model classes read both API versions Strimzi 0.49+ serves; the manifests use v1, since
            // v1beta2 is deprecated (its classes still name it as the fabric8 client's default).
            Map.entry(STRIMZI_V1 + " Kafka", Kafka.class),
            Map.entry(STRIMZI_V1 + " KafkaNodePool", KafkaNodePool.class),
            Map.entry(STRIMZI_V1 + " KafkaTopic", KafkaTopic.class),
            Map.entry(STRIMZI_V1 + " KafkaUser", KafkaUser.class));

    /** Kinds without a Java model, checked by hand (KedaObjects). */
    public static final Map<String, String> UNTYPED = Map.of(
            "keda.sh/v1alpha1 ScaledObject", "KEDA",
            "keda.sh/v1alpha1 TriggerAuthentication", "KEDA");

    private static final ObjectMapper STRICT = new ObjectMapper()
            .setAnnotationIntrospector(new StrictIntrospector())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Models() {
    }

    /** "apiVersion kind" as a custom resource's model class declares them (its @Group, @Version, @Kind). */
    private static Map.Entry<String, Class<?>> declared(Class<? extends HasMetadata> type) {
        return Map.entry(HasMetadata.getApiVersion(type) + " " + HasMetadata.getKind(type), type);
    }

    /** "apiVersion kind" of a rendered object. */
    public static String type(JsonNode doc) {
        return doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
    }

    /** "Kind/name" of a rendered object, for messages. */
    public static String id(JsonNode doc) {
        return doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
    }

    /** The object as its model class; an AssertionError naming the object and the field that does not fit. */
    public static <T> T parse(JsonNode doc, Class<T> type) {
        try {
            return STRICT.treeToValue(doc, type);
        } catch (Exception e) {
            throw new AssertionError(id(doc) + " does not fit " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** The object as the model class of its apiVersion and kind. */
    public static Object parse(JsonNode doc) {
        Class<?> type = TYPED.get(type(doc));
        if (type == null) {
            throw new AssertionError(id(doc) + ": no model for " + type(doc));
        }
        return parse(doc, type);
    }

    /**
     * Jackson's annotations, less the two escape hatches the models use for fields they do not know: the
     * {@code @JsonAnySetter} that keeps them, and {@code ignoreUnknown}.
     */
    private static final class StrictIntrospector extends JacksonAnnotationIntrospector {

        @Override
        public Boolean hasAnySetter(Annotated annotated) {
            return Boolean.FALSE;
        }

        @Override
        public JsonIgnoreProperties.Value findPropertyIgnoralByName(MapperConfig<?> config, Annotated annotated) {
            return super.findPropertyIgnoralByName(config, annotated).withoutIgnoreUnknown();
        }
    }
}
