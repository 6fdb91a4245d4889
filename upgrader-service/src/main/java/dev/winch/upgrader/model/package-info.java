/**
 * The upgrader's decisions, without I/O: which pushes are taken ({@link dev.winch.upgrader.model.UpgradeRequest}),
 * what a push means for one workload ({@link dev.winch.upgrader.model.UpgradePlan}), how Rancher's batch settings
 * map onto Kubernetes update strategies ({@link dev.winch.upgrader.model.RolloutStrategy}), where a rollout stands
 * ({@link dev.winch.upgrader.model.RolloutStatus}), whether it is still the upgrade's
 * ({@link dev.winch.upgrader.model.PodTemplateFingerprint}), what a rollback restores
 * ({@link dev.winch.upgrader.model.RollbackPlan}) and the results published about all of it. No Vert.x, Kafka or
 * fabric8 here.
 */
package dev.winch.upgrader.model;
