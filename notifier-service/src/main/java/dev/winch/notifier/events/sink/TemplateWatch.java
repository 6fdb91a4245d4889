package dev.winch.notifier.events.sink;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a webhook sink's body template in step with its ConfigMap ({@code custom_body_configmap} in
 * {@code custom_body_configmap_namespace}, key {@code content}): an informer on that one ConfigMap. A new or changed
 * ConfigMap replaces the template at once, for the next message; a template that cannot be read is refused with an
 * error in the log and the one in use stays; a ConfigMap that is missing, deleted or without {@code content} means
 * kube-eventer's default body (as kube-eventer at start). The informer re-lists and re-watches after a lost
 * connection by itself. A ConfigMap the notifier may not read (RBAC) stops the start with an error saying so.
 */
public final class TemplateWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TemplateWatch.class);
    public static final String CONTENT_KEY = "content";

    private final EventSink sink;
    private final SinkSpec.ConfigMapRef ref;
    private SharedIndexInformer<ConfigMap> informer;

    private TemplateWatch(EventSink sink) {
        this.sink = sink;
        this.ref = sink.spec().bodyConfigMap();
    }

    /**
     * Starts watching; blocking (the informer's first list): call it on the worker pool. When the ConfigMap is
     * there, its template is in use when this returns.
     */
    public static TemplateWatch start(KubernetesClient client, EventSink sink) {
        TemplateWatch watch = new TemplateWatch(sink);
        try {
            watch.informer = watch.inform(client);
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("event sink " + sink.name() + ": cannot watch ConfigMap " + watch.ref
                    + " (HTTP " + e.getCode() + ": " + e.getMessage() + "); the notifier needs get, list and watch "
                    + "on configmaps in namespace " + watch.ref.namespace(), e);
        }
        if (watch.informer.getStore().list().isEmpty()) {
            LOG.atWarn().addKeyValue("channel", sink.name()).log("ConfigMap {} of event sink {} does not exist: the "
                    + "default body is used until it does", watch.ref, sink.name());
        }
        return watch;
    }

    private SharedIndexInformer<ConfigMap> inform(KubernetesClient client) {
        return client.configMaps().inNamespace(ref.namespace()).withName(ref.name())
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(ConfigMap configMap) {
                        apply(configMap);
                    }

                    @Override
                    public void onUpdate(ConfigMap before, ConfigMap after) {
                        apply(after);
                    }

                    @Override
                    public void onDelete(ConfigMap configMap, boolean finalStateUnknown) {
                        LOG.atWarn().addKeyValue("channel", sink.name()).log("ConfigMap {} of event sink {} was "
                                + "deleted: the default body is used", ref, sink.name());
                        sink.template(BodyTemplate.defaultBody());
                    }
                });
    }

    private void apply(ConfigMap configMap) {
        String content = configMap.getData() == null ? null : configMap.getData().get(CONTENT_KEY);
        if (content == null) {
            LOG.atWarn().addKeyValue("channel", sink.name()).log("ConfigMap {} of event sink {} has no '{}' key: "
                    + "the default body is used", ref, sink.name(), CONTENT_KEY);
            sink.template(BodyTemplate.defaultBody());
            return;
        }
        try {
            sink.template(BodyTemplate.parse(content));
            LOG.atInfo().addKeyValue("channel", sink.name()).log("Body template of event sink {} read from "
                    + "ConfigMap {} (resourceVersion {})", sink.name(), ref,
                    configMap.getMetadata().getResourceVersion());
        } catch (IllegalArgumentException e) {
            LOG.atError().addKeyValue("channel", sink.name()).log("ConfigMap {} of event sink {}: '{}' refused, "
                    + "the template in use stays: {}", ref, sink.name(), CONTENT_KEY, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
