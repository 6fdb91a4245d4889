package dev.winch.common.config;

/** A service's typed configuration; every one embeds the common runtime settings. */
public interface ServiceConfig {

    RuntimeConfig runtime();
}
