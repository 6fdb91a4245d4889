package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Prometheus Alertmanager webhook ({@code webhook_config}), payload version 4, as seed 000 wires it for
 * autoscaling: a rule labels its alert {@code action: up} (or {@code down}) and a route sends each action to its
 * own receiver. Sample (the v4 shape of the Alertmanager documentation, with seed 000's CpuUsageSpike rule and
 * routes for values; full copy in src/test/resources/payloads/alertmanager-firing-up.json, the second alert,
 * for Demo-testTarget-2, elided here):
 *
 * <pre>
 * {
 *   "receiver": "webhook-receiver-up",
 *   "status": "firing",
 *   "alerts": [
 *     {
 *       "status": "firing",
 *       "labels": {
 *         "action": "up",
 *         "alertname": "CpuUsageSpike",
 *         "container_label_io_rancher_container_name": "Demo-testTarget-1",
 *         "instance": "10.42.77.12:9104",
 *         "job": "cadvisor",
 *         "severity": "critical"
 *       },
 *       "annotations": { "description": "CPU usage is above 70%", "summary": "ADDITIONAL CONTAINERS NEEDED" },
 *       "startsAt": "2019-03-14T09:41:07.797Z",
 *       "endsAt": "0001-01-01T00:00:00Z",
 *       "generatorURL": "http://prometheus:9090/graph?g0.expr=...",
 *       "fingerprint": "c470d2c20e7d38d1"
 *     },
 *     ...
 *   ],
 *   "groupLabels": {},
 *   "commonLabels": { "action": "up", "alertname": "CpuUsageSpike", "job": "cadvisor", "severity": "critical" },
 *   "commonAnnotations": { "description": "CPU usage is above 70%", "summary": "ADDITIONAL CONTAINERS NEEDED" },
 *   "externalURL": "http://alertmanager:9093",
 *   "version": "4",
 *   "groupKey": "{}/{action=\"up\"}:{}",
 *   "truncatedAlerts": 0
 * }
 * </pre>
 *
 * <p>Not a {@link RegistryPayload}: an alert asks for scaling, not for an image rollout.
 *
 * <p>Alertmanager retries a failed notification with the same body, and sends the group again on every
 * {@code group_interval} change and every {@code repeat_interval}. Each alert's delivery id is therefore
 * {@code groupKey|fingerprint|status|startsAt}: a retry (and a repeat of a still-firing alert) maps to the same id,
 * the resolved notification of the same alert, or the alert firing again later, to another.
 */
public final class AlertmanagerPayload {

    /** The only payload version this reader knows; Alertmanager has sent "4" since 0.7. */
    public static final String VERSION = "4";

    private static final Set<String> STATUSES = Set.of("firing", "resolved");
    /** Go's zero time: what Alertmanager sends as {@code endsAt} of an alert that has not ended. */
    private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    /**
     * One notification: the alerts of one group, as one receiver gets them.
     *
     * @param status {@code firing} when at least one alert fires, else {@code resolved}
     */
    public record AlertBatch(String groupKey, String receiver, String status, List<Alert> alerts) {

        public AlertBatch {
            alerts = List.copyOf(alerts);
        }
    }

    /**
     * One alert of a notification.
     *
     * @param status     {@code firing} or {@code resolved}
     * @param endsAt     when the alert ended, or null while it has not (Alertmanager's zero time)
     * @param deliveryId {@code groupKey|fingerprint|status|startsAt}, with startsAt in UTC
     */
    public record Alert(String status, Map<String, String> labels, Map<String, String> annotations,
            Instant startsAt, Instant endsAt, String fingerprint, String deliveryId) {

        public Alert {
            labels = Map.copyOf(labels);
            annotations = Map.copyOf(annotations);
        }
    }

    private AlertmanagerPayload() {
    }

    /**
     * @param body the parsed JSON body
     * @throws InvalidPayloadException naming every missing or invalid field by its path ({@code alerts[2].status})
     */
    public static AlertBatch read(JsonNode body) throws InvalidPayloadException {
        FieldReader fields = new FieldReader(body);
        String version = fields.requiredText("version");
        if (version != null && !VERSION.equals(version)) {
            fields.error("version", "must be \"" + VERSION + "\", got '" + version + "'");
            // Another version may mean other fields: do not report them as errors of their own.
            fields.throwIfAny("not an Alertmanager webhook notification of version " + VERSION);
        }
        String groupKey = fields.requiredText("groupKey");
        String receiver = fields.requiredText("receiver");
        String status = status(fields, "status");
        JsonNode alertNodes = fields.requiredArray("alerts");
        if (alertNodes != null && alertNodes.isEmpty()) {
            fields.error("alerts", "must not be empty");
        }
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; alertNodes != null && i < alertNodes.size(); i++) {
            Alert alert = alert(fields, groupKey, "alerts[" + i + "]");
            if (alert != null) {
                alerts.add(alert);
            }
        }
        fields.throwIfAny("not a usable Alertmanager webhook notification");
        return new AlertBatch(groupKey, receiver, status, alerts);
    }

    private static Alert alert(FieldReader fields, String groupKey, String at) {
        JsonNode node = JsonPaths.at(fields.root(), at);
        if (node == null || !node.isObject()) {
            fields.error(at, "must be an object");
            return null;
        }
        String status = status(fields, at + ".status");
        Map<String, String> labels = stringMap(fields, at + ".labels", true);
        Map<String, String> annotations = stringMap(fields, at + ".annotations", false);
        Instant startsAt = time(fields, at + ".startsAt", true);
        Instant endsAt = time(fields, at + ".endsAt", false);
        String fingerprint = fields.requiredText(at + ".fingerprint");
        if (status == null || labels == null || annotations == null || startsAt == null || fingerprint == null
                || groupKey == null || fields.hasErrors()) {
            return null;
        }
        String deliveryId = groupKey + "|" + fingerprint + "|" + status + "|" + startsAt;
        return new Alert(status, labels, annotations, startsAt, GO_ZERO_TIME.equals(endsAt) ? null : endsAt,
                fingerprint, deliveryId);
    }

    private static String status(FieldReader fields, String path) {
        String status = fields.requiredText(path);
        if (status != null && !STATUSES.contains(status)) {
            fields.error(path, "must be firing or resolved, got '" + status + "'");
            return null;
        }
        return status;
    }

    /** An object of string values; an optional one that is absent reads as empty. */
    private static Map<String, String> stringMap(FieldReader fields, String path, boolean required) {
        JsonNode node = fields.optionalObject(path);
        if (node == null) {
            if (JsonPaths.at(fields.root(), path) != null) {
                return null;
            }
            if (required) {
                fields.error(path, "is required");
                return null;
            }
            return Map.of();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> entries = node.fields(); entries.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = entries.next();
            if (entry.getValue().isTextual()) {
                values.put(entry.getKey(), entry.getValue().asText());
            } else {
                fields.error(path + "." + entry.getKey(), "must be a string, got " + JsonPaths.describe(entry.getValue()));
            }
        }
        return values;
    }

    /** An RFC 3339 time, as Alertmanager writes it ({@code 2018-08-03T09:52:26.739266876+02:00}). */
    private static Instant time(FieldReader fields, String path, boolean required) {
        String text = required ? fields.requiredText(path) : fields.optionalText(path);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            fields.error(path, "is not an RFC 3339 time: '" + text + "'");
            return null;
        }
    }
}
