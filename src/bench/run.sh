#!/usr/bin/env bash
# Runs one benchmark from the packaged bench module; builds nothing.
#   src/bench/run.sh IngestBenchmark [events] [ordered|random|live]
#   src/bench/run.sh IngestReplicaBenchmark [events] [replicas]
#   src/bench/run.sh SdkOverheadBenchmark [timed calls]
#   src/bench/run.sh StartupBenchmark [demo]
#   src/bench/run.sh TaskApiBenchmark [traces] [requests]
#   src/bench/run.sh IndexBenchmark [traces]
#   src/bench/run.sh LedgerCostBenchmark [events per run] [runs per setting]
#   src/bench/run.sh SoakBenchmark [minutes] [factor]
#   src/bench/run.sh OtlpBenchmark [spans]
#   src/bench/run.sh LatencySketchBenchmark
#   src/bench/run.sh AlertBenchmark [trials]
#   src/bench/run.sh RedactionBenchmark [seconds per measurement]
#   src/bench/run.sh CrashRestartBenchmark [kills] [static|dynamic]
# Build first, from the repository root: mvn -B -ntp package -DskipTests (every module, the bench last)
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 IngestBenchmark|IngestReplicaBenchmark|IndexBenchmark|LedgerCostBenchmark|SoakBenchmark|OtlpBenchmark|SdkOverheadBenchmark|StartupBenchmark|TaskApiBenchmark|LatencySketchBenchmark|AlertBenchmark|RedactionBenchmark|CrashRestartBenchmark [args...]" >&2
  exit 2
fi
name=$1
shift

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jar=$(ls "$bench_dir"/target/tailaudit-bench-*.jar 2>/dev/null | grep -v -e '-sources' -e '-javadoc' | head -n 1 || true)
if [[ -z "$jar" || ! -d "$bench_dir/target/lib" ]]; then
  echo "the bench module is not packaged: run mvn -B -ntp package -DskipTests from the repository root" >&2
  exit 1
fi

if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  java=$JAVA_HOME/bin/java
else
  java=$(command -v java || true)
fi
if [[ -z "$java" ]]; then
  echo "no java found: install a JDK >= 21" >&2
  exit 1
fi
# "openjdk version "21.0.5"" or "1.8.0_..." -> major version
version=$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -n 1)
major=${version%%.*}
if [[ "$major" == 1 ]]; then
  major=$(echo "$version" | cut -d. -f2)
fi
if [[ -z "$major" || "$major" -lt 21 ]]; then
  echo "$java is version ${version:-unknown}; the benchmarks need java >= 21" >&2
  exit 1
fi

opts=(--add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)
# since JDK 23; without it JDK 24+ warns on every sun.misc.Unsafe user (Kafka, Netty)
if [[ "$major" -ge 23 ]]; then
  opts+=(--sun-misc-unsafe-memory-access=allow)
fi

# the benchmarks find the repository (migrations/, the server jar) from the working directory
cd "$bench_dir/../.."
exec "$java" "${opts[@]}" -cp "$jar:$bench_dir/target/lib/*" "io.tailaudit.bench.$name" "$@"
