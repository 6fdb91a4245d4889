/**
 * The upgrader's decisions, without I/O: which pushes are taken ({@link dev.winch.upgrader.model.UpgradeRequest}),
 * what a push means for one workload ({@link dev.winch.upgrader.model.UpgradePlan}), how Rancher's batch settings
 * map onto Kubernetes update strategies ({@link dev.winch.upgrader.model.RolloutStrategy}), where a rollout stands
 * ({@link dev.winch.upgrader.model.RolloutStatus}) and the results published about all of it. No Vert.x, Kafka or
 * fabric8 here.
 */
package dev.winch.upgrader.model;
