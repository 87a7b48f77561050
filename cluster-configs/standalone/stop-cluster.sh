#!/usr/bin/env bash
# Stops the cluster start-cluster.sh started: each Worker with the executors and drivers it launched, then the Master,
# by the pids in SPINDLE_CLUSTER_DIR (default target/standalone-cluster). SIGTERM first (a Worker then stops its
# executors itself), SIGKILL after 15 s. A pid whose process is no longer the JVM it was is left alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${SPINDLE_CLUSTER_DIR:-$root/target/standalone-cluster}"

# is PID CLASS: PID is alive and runs CLASS
is() {
  [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF "$2"
}

# stop PID...: SIGTERM, then SIGKILL whatever is left after 15 s
stop() {
  local pid
  kill -TERM "$@" 2> /dev/null || true
  for ((i = 0; i < 75; i++)); do
    local alive=0
    for pid in "$@"; do
      kill -0 "$pid" 2> /dev/null && alive=1
    done
    ((alive)) || return 0
    sleep 0.2
  done
  kill -KILL "$@" 2> /dev/null || true
}

for file in "$dir"/worker-*.pid "$dir"/master.pid; do
  [[ -f "$file" ]] || continue
  pid="$(cat "$file")"
  case "$(basename "$file")" in
    master.pid) class=org.apache.spark.deploy.master.Master ;;
    *) class=org.apache.spark.deploy.worker.Worker ;;
  esac
  if is "$pid" "$class"; then
    # the executors (CoarseGrainedExecutorBackend) and drivers (DriverWrapper) this Worker started
    children=()
    for child in $(ps -o pid= --ppid "$pid"); do
      children+=("$child")
    done
    stop "$pid"
    remaining=()
    for child in "${children[@]}"; do
      if is "$child" "org.apache.spark"; then
        remaining+=("$child")
      fi
    done
    if ((${#remaining[@]})); then
      stop "${remaining[@]}"
    fi
    echo "stopped $(basename "$file" .pid) (pid $pid)"
  fi
  rm -f "$file"
done
