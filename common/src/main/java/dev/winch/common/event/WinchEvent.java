package dev.winch.common.event;

/**
 * The data of a Winch CloudEvent. One record per event type; see {@link EventType}.
 */
public sealed interface WinchEvent
        permits ImagePushed, ServiceScaleRequested, HostScaleRequested, ActionResult, KubeEventObserved {

    /**
     * The Kafka record key: the thing that must be processed in order (a workload, a host group, an image
     * repository). One key, one partition, so one worker at a time acts on it.
     */
    String partitionKey();
}
