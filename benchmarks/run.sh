#!/usr/bin/env bash
# Builds the benchmarks and runs the issue-7 set, then writes the results into README.md between the
# "run.sh results" markers:
#   - PeerComparisonBenchmark: Burnguard vs InMemoryProvider, flagd 0.11.15 offline, LaunchDarkly offline
#   - OutcomeRecordingBenchmark at 1 and 2 threads: the guarded path against its floor
#   - GuardianTickBenchmark: one tick over 100, 1,000 and 10,000 rollouts
#   - RolloutFootprint: heap bytes per rollout and per (flag, variant) series (JOL)
#   - FractionalBreakdownBenchmark: what a fractional evaluation spends its time on (issue 18)
# The generated section marks every goal of issue 7 and of issue 18 met or missed.
# Full configuration: about 13 minutes on 2 cores (see README.md). QUICK=1: one short iteration of
# each, about 4 minutes, for checking that everything runs; its numbers are noise.
# FLEET=1: instead, fleet mode on Redis (issue 14; needs redis-server on PATH), about 4 minutes:
#   - FleetHotPathBenchmark: evaluation and guard.call with fleet mode off and on, same run
#   - FleetLoad: 20 replicas x 1,000 guarded flags on one local redis-server (REPLICAS, FLAGS,
#     SECONDS_MEASURED override; default 30 simulated seconds), push and tick latency, Redis CPU, memory, commands; printed and kept in the results
#   The figures are copied by hand into README.md's fleet section and docs/fleet.md's sizing table.
set -euo pipefail
cd "$(dirname "$0")/.."

results=benchmarks/target/results
jar=benchmarks/target/benchmarks.jar
rm -rf "$results"
mkdir -p "$results"

if [[ "${QUICK:-0}" == 1 ]]; then
  label="QUICK=1 validation run: one fork, one short iteration, possibly on a shared machine. Noise, not results: replace with a full run on a quiet machine."
  eval_opts=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms)
  outcome_opts=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms)
  tick_opts=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms)
  # Other engineers' JMH runs hold the lock on a shared machine; a quick check runs alongside them.
  jmh=(java -Djmh.ignoreLock=true -jar "$jar")
else
  label="Full run."
  eval_opts=(-f 1 -wi 3 -w 1s -i 5 -r 2s)
  outcome_opts=(-f 1 -wi 3 -w 1s -i 5 -r 1s)
  tick_opts=(-f 1 -wi 3 -w 1s -i 5 -r 1s)
  jmh=(java -jar "$jar")
fi
footprint=(java -Djdk.attach.allowAttachSelf -Djol.magicFieldOffset=true
  -cp "$jar" dev.burnguard.benchmarks.RolloutFootprint 100 1000 10000)

start=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

if [[ "${FLEET:-0}" == 1 ]]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
  "${jmh[@]}" '^dev.burnguard.benchmarks.FleetHotPathBenchmark.' "${outcome_opts[@]}" -prof gc \
    -rf json -rff "$results/fleet-hot-path.json"
  java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$jar" dev.burnguard.redis.FleetLoad \
    "${REPLICAS:-20}" "${FLAGS:-1000}" "${SECONDS_MEASURED:-30}" 5 false "$results/fleet-load.txt" \
    >"$results/fleet-load.log" 2>&1
  python3 - "$results/fleet-hot-path.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
score = {}
for r in rows:
    name = r["benchmark"].rsplit(".", 1)[1]
    alloc = r["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score")
    score[(name, r["params"]["fleet"])] = r["primaryMetric"]["score"]
    print(f"{name:10} fleet={r['params']['fleet']:3} {r['primaryMetric']['score']:8.1f} "
          f"± {float(r['primaryMetric']['scoreError']):.1f} ns/op  {alloc:.3f} B/op")
for name in sorted({n for n, _ in score}):
    if (name, "on") in score and (name, "off") in score:
        print(f"{name:10} on/off = {score[(name, 'on')] / score[(name, 'off')]:.2f}")
PY
  cat "$results/fleet-load.txt"
  echo "load average: $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after; wall $(( $(date +%s) - start )) s"
  exit 0
fi

build=(mvn -B -q -pl benchmarks -am package -DskipTests)
printf '%s\n' "${build[*]}" >"$results/commands.txt"
"${build[@]}"

run() {
  printf '%s\n' "$*" >>"$results/commands.txt"
  "$@"
}
# The realistic setting (issue 18): ImmutableContext, the SDK's default, over 1,024 distinct users.
# report.py's tables are built from this run.
run "${jmh[@]}" '^dev.burnguard.benchmarks.PeerComparisonBenchmark.' "${eval_opts[@]}" -prof gc \
  -p contextType=ImmutableContext -p users=1024 -rf json -rff "$results/peers.json"
# For comparison, the hot set of 64 users in MutableContexts (the setting of issue 7's figures),
# provider-direct only; raw JSON only, not in report.py's tables.
run "${jmh[@]}" '^dev.burnguard.benchmarks.PeerComparisonBenchmark.(burnguard|inMemory|ld)Direct' \
  "${eval_opts[@]}" -prof gc -p contextType=MutableContext -p users=64 -p events=off \
  -rf json -rff "$results/peers-hot.json"
run "${jmh[@]}" '^dev.burnguard.benchmarks.OutcomeRecordingBenchmark.' -t 1 "${outcome_opts[@]}" -prof gc \
  -rf json -rff "$results/outcome-t1.json"
run "${jmh[@]}" '^dev.burnguard.benchmarks.OutcomeRecordingBenchmark.' -t 2 "${outcome_opts[@]}" -prof gc \
  -rf json -rff "$results/outcome-t2.json"
run "${jmh[@]}" '^dev.burnguard.benchmarks.GuardianTickBenchmark.' "${tick_opts[@]}" -prof gc \
  -rf json -rff "$results/tick.json"
# GuardedProvider around InMemoryProvider and flagd: delegate alone, wrapped unguarded, wrapped guarded (issue 15).
run "${jmh[@]}" '^dev.burnguard.benchmarks.GuardedProviderBenchmark.' "${eval_opts[@]}" -prof gc \
  -rf json -rff "$results/guarded.json"
# What bounds fractional against a static flag: context read, hash, hash floor, in one run (issue 18).
run "${jmh[@]}" '^dev.burnguard.benchmarks.FractionalBreakdownBenchmark.' "${outcome_opts[@]}" -prof gc \
  -p contextType=ImmutableContext -p users=1024 -rf json -rff "$results/fractional-breakdown.json"
printf '%s > %s\n' "${footprint[*]}" "$results/footprint.tsv" >>"$results/commands.txt"
"${footprint[@]}" >"$results/footprint.tsv"

{
  echo "label=$label"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc=$(nproc)"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "jdk=$(java -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')"
  echo "load=$load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after (1, 5, 15 min)"
  echo "wall=$(( $(date +%s) - start ))"
  echo "invocation=${QUICK:+QUICK=$QUICK }benchmarks/run.sh"
} >"$results/environment.txt"

python3 benchmarks/report.py "$results" benchmarks/README.md
echo "Results written to benchmarks/README.md (raw JMH JSON in $results)."
