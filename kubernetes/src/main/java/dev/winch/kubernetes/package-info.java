/**
 * What every worker that acts on Kubernetes shares: the client and its configuration
 * ({@link dev.winch.kubernetes.KubernetesClients}, {@link dev.winch.kubernetes.KubernetesConfig}), the workload kinds
 * ({@link dev.winch.kubernetes.WorkloadKind}), label selectors in plain values
 * ({@link dev.winch.kubernetes.LabelSelector}), the one conditional write
 * ({@link dev.winch.kubernetes.OptimisticUpdate}, answering with an {@link dev.winch.kubernetes.UpdateResult}) and
 * the annotations that record what a worker applied ({@link dev.winch.kubernetes.AppliedEvents},
 * {@link dev.winch.kubernetes.AppliedOffsets}). fabric8 types stay in this package and in each worker's
 * {@code kubernetes} package; see DESIGN.md.
 */
package dev.winch.kubernetes;
