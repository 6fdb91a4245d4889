/**
 * What every worker that acts on Kubernetes shares: the workload kinds ({@link dev.winch.kubernetes.WorkloadKind}),
 * label selectors in plain values ({@link dev.winch.kubernetes.LabelSelector}) and the one conditional write
 * ({@link dev.winch.kubernetes.OptimisticUpdate}, answering with an {@link dev.winch.kubernetes.UpdateResult}).
 * fabric8 types stay in this package and in each worker's {@code kubernetes} package; see DESIGN.md.
 */
package dev.winch.kubernetes;
