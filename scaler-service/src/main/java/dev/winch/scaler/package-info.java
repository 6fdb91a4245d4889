/**
 * The scaler service: scale requests from {@code winch.service.scale} become replica counts of Deployments,
 * StatefulSets and ReplicaSets, within each receiver's bounds, exactly once in effect; every outcome goes to
 * {@code winch.results}. See {@code DESIGN.md} beside this file for the flow and the decisions (HPAs refused,
 * one result per workload for selectors, cooldowns on the workload, no-ops recorded).
 *
 * <ul>
 *   <li>{@code model}: the plan ({@link dev.winch.scaler.model.ScalePlan}) and the results built from it; no I/O,
 *       no Vert.x, no fabric8.</li>
 *   <li>{@code kubernetes}: the fabric8 edge ({@link dev.winch.scaler.kubernetes.Workloads},
 *       {@link dev.winch.scaler.kubernetes.HorizontalPodAutoscalers}), every call on the worker pool.</li>
 *   <li>this package: the consumer wiring ({@link dev.winch.scaler.ScalerService}), the per-target steps
 *       ({@link dev.winch.scaler.TargetScaler}), the configuration and {@code main}.</li>
 * </ul>
 */
package dev.winch.scaler;
