#!/usr/bin/env bash
# Makes a minimal Spark distribution from this project's Maven class path, for a cluster on one machine (laptops, CI):
#
#   DIR/jars/       symlinks to Spark's own jars: pom.xml's provided scope (Spark, Hadoop client, Scala, log4j...),
#                   never javacpp or openblas, which executors get only from the application jar, as on a real cluster
#   DIR/bin/        spark-class and spark-submit (this folder's bin/), which run Spark's own launcher
#   DIR/conf        a link to this folder: spark-defaults.conf and spark-env.sh (SPARK_CONF_DIR overrides it)
#
#   cluster-configs/standalone/spark-home.sh [DIR]    (default DIR: target/spark-home; prints DIR)
#
# DIR is made again when pom.xml is newer than it. Needs the Maven wrapper (and, the first time, Maven Central).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
home="${1:-${SPINDLE_SPARK_HOME:-$root/target/spark-home}}"
stamp="$home/jars/.spindle-classpath"

if [[ ! -s "$stamp" || "$root/pom.xml" -nt "$stamp" ]]; then
  mkdir -p "$home"
  classpath="$home/classpath.txt"
  # includeScope=provided: exactly the provided dependencies and what they bring (Spark's jars/ in a distribution)
  if ! (cd "$root" && ./mvnw -q -B dependency:build-classpath -DincludeScope=provided \
      -Dmdep.outputFile="$classpath") > "$home/build.log" 2>&1; then
    cat "$home/build.log" >&2
    exit 1
  fi
  rm -rf "${home:?}/jars" "${home:?}/bin"
  mkdir -p "$home/jars" "$home/bin"
  IFS=: read -r -a jars < "$classpath" || true # no final newline
  for jar in "${jars[@]}"; do
    case "$(basename "$jar")" in
      javacpp-*|openblas-*)
        echo "spark-home.sh: $jar is on the provided class path; a cluster must not have it" >&2
        exit 1 ;;
    esac
    ln -s "$jar" "$home/jars/"
  done
  ln -s "$here/bin/spark-class" "$here/bin/spark-submit" "$home/bin/"
  ln -sfn "$here" "$home/conf"
  printf '%s\n' "${jars[@]}" > "$stamp"
fi
echo "$home"
