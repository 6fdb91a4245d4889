package dev.winch.notifier.events.sink;

import dev.winch.common.event.KubeEventObserved;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A Kubernetes Event as kube-eventer's templates see it: the fields of Go's {@code v1.Event} by their Go names
 * ({@code .Type}, {@code .InvolvedObject.Kind}, {@code .Source.Host}, {@code .Name} for the Event's own name ...),
 * read from the Event the API server sent ({@link KubeEventObserved#object()}), else from the record's own fields.
 * A field the Event does not have prints as Go prints its zero value: an empty string, 0, or Go's zero time.
 *
 * <p>Where Winch differs: {@code .EventTime} falls back to the last timestamp when the Event has none (most Events
 * of the core/v1 API have none, and kube-eventer prints Go's zero time then); messages keep their quotes
 * (kube-eventer removes them, since it does not escape them); every value is JSON-escaped by the template.
 */
public final class EventView {

    /** The field paths a template may name, each with how to read it. */
    private static final Map<String, Function<EventView, Object>> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("Type", v -> v.text("type", v.event.type()));
        FIELDS.put("Reason", v -> v.text("reason", v.event.reason()));
        FIELDS.put("Message", v -> v.message);
        FIELDS.put("Count", v -> v.count());
        FIELDS.put("FirstTimestamp", v -> GoTime.string(v.time("firstTimestamp", v.event.firstSeen())));
        FIELDS.put("LastTimestamp", v -> GoTime.string(v.lastTimestamp()));
        FIELDS.put("EventTime", v -> GoTime.string(v.eventTime()));
        FIELDS.put("Name", v -> v.meta("name", ""));
        FIELDS.put("Namespace", v -> v.meta("namespace", ""));
        FIELDS.put("UID", v -> v.meta("uid", v.event.uid()));
        FIELDS.put("ResourceVersion", v -> v.meta("resourceVersion", v.event.resourceVersion()));
        FIELDS.put("ObjectMeta.Name", v -> v.meta("name", ""));
        FIELDS.put("ObjectMeta.Namespace", v -> v.meta("namespace", ""));
        FIELDS.put("ObjectMeta.UID", v -> v.meta("uid", v.event.uid()));
        FIELDS.put("ObjectMeta.ResourceVersion", v -> v.meta("resourceVersion", v.event.resourceVersion()));
        FIELDS.put("InvolvedObject.Kind", v -> v.nested("involvedObject", "kind", v.event.involvedKind()));
        FIELDS.put("InvolvedObject.Namespace", v -> v.nested("involvedObject", "namespace", v.event.namespace()));
        FIELDS.put("InvolvedObject.Name", v -> v.nested("involvedObject", "name", v.event.involvedName()));
        FIELDS.put("InvolvedObject.UID", v -> v.nested("involvedObject", "uid", ""));
        FIELDS.put("InvolvedObject.APIVersion", v -> v.nested("involvedObject", "apiVersion", ""));
        FIELDS.put("InvolvedObject.ResourceVersion", v -> v.nested("involvedObject", "resourceVersion", ""));
        FIELDS.put("InvolvedObject.FieldPath", v -> v.nested("involvedObject", "fieldPath", ""));
        FIELDS.put("Source.Component", v -> v.nested("source", "component", ""));
        FIELDS.put("Source.Host", v -> v.nested("source", "host", ""));
        FIELDS.put("ReportingController", v -> v.text("reportingComponent", ""));
        FIELDS.put("ReportingInstance", v -> v.text("reportingInstance", ""));
        FIELDS.put("Action", v -> v.text("action", ""));
    }

    private final KubeEventObserved event;
    private final Map<String, Object> object;
    private final String message;

    private EventView(KubeEventObserved event, String message) {
        this.event = event;
        this.object = event.object();
        this.message = message;
    }

    public static EventView of(KubeEventObserved event) {
        return new EventView(event, text(event.object(), "message", event.message()));
    }

    /** The same event with another message (a digest's summary in the newest event's shape). */
    public static EventView withMessage(KubeEventObserved event, String message) {
        return new EventView(event, message);
    }

    /** The field paths templates may use, without the leading dot. */
    public static Set<String> fields() {
        return FIELDS.keySet();
    }

    /** The value of a field path ({@code InvolvedObject.Kind}) as Go's template would print it. */
    public String value(String path) {
        Function<EventView, Object> field = FIELDS.get(path);
        if (field == null) {
            throw new IllegalArgumentException("unknown field ." + path);
        }
        Object value = field.apply(this);
        return value == null ? "" : value.toString();
    }

    KubeEventObserved event() {
        return event;
    }

    String message() {
        return message;
    }

    Instant lastTimestamp() {
        return time("lastTimestamp", event.lastSeen());
    }

    /** The Event's eventTime, else (Winch) its last timestamp. */
    Instant eventTime() {
        Instant eventTime = GoTime.parse(object.get("eventTime"));
        return eventTime != null ? eventTime : lastTimestamp();
    }

    long count() {
        Object count = object.get("count");
        return count instanceof Number number ? number.longValue() : event.count();
    }

    private String text(String key, String fallback) {
        return text(object, key, fallback);
    }

    private static String text(Map<String, Object> map, String key, String fallback) {
        Object value = map.get(key);
        if (value != null) {
            return value.toString();
        }
        return fallback == null ? "" : fallback;
    }

    private Instant time(String key, Instant fallback) {
        Instant parsed = GoTime.parse(object.get(key));
        return parsed != null ? parsed : fallback;
    }

    private String meta(String key, String fallback) {
        return nested("metadata", key, fallback);
    }

    private String nested(String parent, String key, String fallback) {
        Object inner = object.get(parent);
        if (inner instanceof Map<?, ?> map && map.get(key) != null) {
            return map.get(key).toString();
        }
        return fallback == null ? "" : fallback;
    }
}
