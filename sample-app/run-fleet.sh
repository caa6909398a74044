#!/usr/bin/env bash
# Starts a local redis-server (no persistence, its own temporary directory) and three sample-app
# instances on consecutive ports sharing one rollout through it: the fleet mode of docs/fleet.md.
#
#   sample-app/run-fleet.sh [first-port, default 8081] [extra sample-app options, e.g. --demo]
#
# Needs redis-server on PATH (apt-get install redis-server) and the sample app built
# (mvn -B -o -pl sample-app -am package -DskipTests). Ctrl-C stops all four processes.
set -euo pipefail
cd "$(dirname "$0")/.."

first_port="${1:-8081}"
shift || true
jar=sample-app/target/burnguard-sample-app.jar
command -v redis-server >/dev/null || { echo "redis-server is not on PATH: apt-get install redis-server" >&2; exit 1; }
[ -f "$jar" ] || { echo "$jar is missing: mvn -B -pl sample-app -am package -DskipTests" >&2; exit 1; }

work="$(mktemp -d)"
redis_port=$((first_port + 100))
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT INT TERM

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break
  sleep 0.1
done
echo "redis-server on 127.0.0.1:$redis_port (log $work/redis.log)"

for i in 0 1 2; do
  port=$((first_port + i))
  mkdir -p "$work/instance-$i"
  java -jar "$jar" --port "$port" --data-dir "$work/instance-$i" --redis "redis://127.0.0.1:$redis_port" \
    --instance-id "sample-$i" --admin-token "fleet-demo-admin-token-$i" "$@" >"$work/instance-$i.log" 2>&1 &
  pids+=($!)
  echo "instance sample-$i: http://127.0.0.1:$port/ (log $work/instance-$i.log)"
done
echo "Each instance prints a dashboard login link in its log. Ctrl-C stops everything."
wait
