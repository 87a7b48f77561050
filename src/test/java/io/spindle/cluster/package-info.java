/**
 * Integration tests on a real Spark standalone cluster of separate JVMs on 127.0.0.1 ({@code *IT}, run by failsafe in
 * {@code ./mvnw verify} once {@code package} has built the shaded jar): {@link io.spindle.cluster.StandaloneClusterIT}
 * with its helpers {@link io.spindle.cluster.StandaloneCluster} (start, stop, submit, executors),
 * {@link io.spindle.cluster.EventLog} (executors and tasks from Spark's event log) and
 * {@link io.spindle.cluster.ClusterClassifierCheck} (an MLlib driver program connected to the cluster).
 */
package io.spindle.cluster;
