package dev.winch.kubernetes;

import dev.winch.common.config.ServiceConfig;

/** The configuration of a service that acts on Kubernetes. */
public interface KubernetesServiceConfig extends ServiceConfig {

    KubernetesConfig kubernetes();
}
