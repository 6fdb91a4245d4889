package dev.winch.common.event;

import java.util.Arrays;
import java.util.Optional;

/** The CloudEvent types Winch produces, each with its data record and the topic it is written to. */
public enum EventType {
    IMAGE_PUSHED("dev.winch.image.pushed", ImagePushed.class, Topics.IMAGE_PUSHED),
    SERVICE_SCALE_REQUESTED("dev.winch.service.scale.requested", ServiceScaleRequested.class, Topics.SERVICE_SCALE),
    HOST_SCALE_REQUESTED("dev.winch.host.scale.requested", HostScaleRequested.class, Topics.HOST_SCALE),
    ACTION_COMPLETED("dev.winch.action.completed", ActionResult.class, Topics.RESULTS),
    KUBE_EVENT_OBSERVED("dev.winch.k8s.event.observed", KubeEventObserved.class, Topics.K8S_EVENTS);

    private final String type;
    private final Class<? extends WinchEvent> dataClass;
    private final String topic;

    EventType(String type, Class<? extends WinchEvent> dataClass, String topic) {
        this.type = type;
        this.dataClass = dataClass;
        this.topic = topic;
    }

    /** The CloudEvent {@code type} attribute. */
    public String type() {
        return type;
    }

    public Class<? extends WinchEvent> dataClass() {
        return dataClass;
    }

    public String topic() {
        return topic;
    }

    public static Optional<EventType> ofType(String type) {
        return Arrays.stream(values()).filter(t -> t.type.equals(type)).findFirst();
    }

    public static EventType of(WinchEvent data) {
        EventType type = BY_CLASS.get(data.getClass());
        if (type == null) {
            throw new IllegalArgumentException("no event type for " + data.getClass());
        }
        return type;
    }

    private static final ClassValue<EventType> BY_CLASS = new ClassValue<>() {
        @Override
        protected EventType computeValue(Class<?> dataClass) {
            return Arrays.stream(values()).filter(t -> t.dataClass.isAssignableFrom(dataClass)).findFirst()
                    .orElse(null);
        }
    };
}
