# shellcheck shell=bash
# Sourced by bin/spark-class before every JVM it starts: Master, Workers, spark-submit's driver. Executors inherit
# the Worker's environment. A cluster on one machine's loopback: nothing listens beyond 127.0.0.1.
export SPARK_LOCAL_IP=127.0.0.1
export SPARK_MASTER_HOST=127.0.0.1
export SPARK_SCALA_VERSION=2.13
# Master and Worker daemons only route messages and start executors; the default 1g each is more than they need.
export SPARK_DAEMON_MEMORY=512m
