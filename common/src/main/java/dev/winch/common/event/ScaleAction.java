package dev.winch.common.event;

/** Which way a scale request goes. */
public enum ScaleAction {
    UP, DOWN
}
