#!/usr/bin/env bash
# Starts a Spark standalone cluster on this machine's loopback: a Master and N Workers (default 2), each its own JVM,
# run through Spark's launcher from the spark home that spark-home.sh makes from the Maven class path. Executors then
# start as separate JVMs, children of their Worker. Prints the master URL on stdout.
#
#   cluster-configs/standalone/start-cluster.sh [N]
#   cluster-configs/standalone/stop-cluster.sh          stops every JVM started here, by pid
#
# Environment (defaults):
#   SPINDLE_CLUSTER_DIR        pids, logs and the Workers' directories (target/standalone-cluster)
#   SPINDLE_SPARK_HOME         the spark home (target/spark-home)
#   SPARK_MASTER_PORT          7077;  SPARK_MASTER_WEBUI_PORT 8080 (Worker UIs take free ports)
#   SPARK_WORKER_CORES         1 per Worker;  SPARK_WORKER_MEMORY 2g per Worker (what its executors may take)
# Executors inherit this environment (OPENBLAS_CORETYPE, for instance).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
workers="${1:-2}"
dir="${SPINDLE_CLUSTER_DIR:-$root/target/standalone-cluster}"
port="${SPARK_MASTER_PORT:-7077}"
webui="${SPARK_MASTER_WEBUI_PORT:-8080}"
cores="${SPARK_WORKER_CORES:-1}"
memory="${SPARK_WORKER_MEMORY:-2g}"
timeout_s="${SPINDLE_CLUSTER_TIMEOUT:-90}"

if compgen -G "$dir/*.pid" > /dev/null; then
  echo "start-cluster.sh: $dir holds pid files of a cluster; run stop-cluster.sh first" >&2
  exit 1
fi
SPARK_HOME="$("$here/spark-home.sh")"
export SPARK_HOME SPARK_CONF_DIR="${SPARK_CONF_DIR:-$here}"
mkdir -p "$dir/logs"
master="spark://127.0.0.1:$port"

# start NAME CLASS ARGS...: the JVM in the background, its pid in DIR/NAME.pid (spark-class execs java: same pid)
start() {
  local name="$1"
  shift
  nohup "$SPARK_HOME/bin/spark-class" "$@" > "$dir/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$dir/$name.pid"
}

# await NAME TEXT: until NAME's log shows TEXT; fails when the JVM exits first or after $timeout_s seconds
await() {
  local name="$1" text="$2" pid
  pid="$(cat "$dir/$1.pid")"
  for ((i = 0; i < timeout_s * 5; i++)); do
    if grep -qF "$text" "$dir/logs/$name.log"; then
      return 0
    fi
    if ! kill -0 "$pid" 2> /dev/null; then
      break
    fi
    sleep 0.2
  done
  echo "start-cluster.sh: $name did not log '$text'; its log ends:" >&2
  tail -n 30 "$dir/logs/$name.log" >&2
  return 1
}

stop_on_failure() {
  echo "start-cluster.sh: stopping what was started" >&2
  "$here/stop-cluster.sh" >&2 || true
}
trap stop_on_failure ERR

start master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port "$webui"
await master "I have been elected leader"
for ((w = 1; w <= workers; w++)); do
  mkdir -p "$dir/work/worker-$w"
  start "worker-$w" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --webui-port 0 --cores "$cores" \
    --memory "$memory" --work-dir "$dir/work/worker-$w" "$master"
done
for ((w = 1; w <= workers; w++)); do
  await "worker-$w" "Successfully registered with master"
done
trap - ERR
echo "$master"
