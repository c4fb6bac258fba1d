#!/usr/bin/env bash
# Idle cost: N workers connected with 1 s heartbeats (one strata-swarm process holding N DEALER
# sockets that send READY and heartbeats only) → the coordinator's CPU, read from /proc/<pid>/stat.
# Reference: the same coordinator with no worker connected, measured just before, in the same script.
# Usage: bench/idle_workers.sh [debug|release] [workers] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-release}; workers=${2:-500}; seconds=${3:-20}
bin=.build/$mode/strata; swarm=.build/$mode/strata-swarm
dir=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill -9 $p 2>/dev/null || true; done; rm -rf "$dir"' EXIT
port=$((20000 + RANDOM % 20000)); endpoint="tcp://127.0.0.1:$port"
ticks=$(getconf CLK_TCK)
cpu() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }  # utime + stime, in ticks

# A finished one-task sweep: restarted with --stay-up, its coordinator has nothing to hand out.
cat > "$dir/idle.yaml" <<YAML
name: idle
kind: synthetic
grid: {width: [1]}
synthetic: {events: 1, pace_ms: 0}
execution: {heartbeat_ms: 1000, heartbeat_timeout_ms: 3000}
YAML
$bin worker --connect "$endpoint" --in-process 2>/dev/null & pids="$pids $!"
$bin coordinator "$dir/idle.yaml" --bind "$endpoint" --out "$dir/out" 2>/dev/null
$bin coordinator "$dir/idle.yaml" --bind "$endpoint" --out "$dir/out" --stay-up 2>"$dir/coordinator.log" &
c=$!; pids="$pids $c"
sleep 2
base=$((seconds / 2))
t0=$(cpu $c); sleep "$base"; t1=$(cpu $c)
$swarm --connect "$endpoint" --workers "$workers" --seconds $((seconds + 10)) > "$dir/swarm.json" &
s=$!; pids="$pids $s"
sleep 5  # every worker has joined
rss0=$(awk '/VmRSS/ { print $2 }' "/proc/$c/status")
t2=$(cpu $c); sleep "$seconds"; t3=$(cpu $c)
joined=$(grep -c "joined" "$dir/coordinator.log" || true)
dead=$(grep -c "dead" "$dir/coordinator.log" || true)
rss1=$(awk '/VmRSS/ { print $2 }' "/proc/$c/status")
kill -TERM "$c"; wait "$c" || true
wait "$s" || true
idle=$(echo "scale=2; 100 * ($t1 - $t0) / $ticks / $base" | bc)
busy=$(echo "scale=2; 100 * ($t3 - $t2) / $ticks / $seconds" | bc)
echo "coordinator CPU: no workers ${idle}% of one core over ${base} s; $workers idle workers ${busy}% over ${seconds} s" \
    "($joined joined, $dead declared dead; RSS $((rss0 / 1024)) → $((rss1 / 1024)) MiB); swarm: $(cat "$dir/swarm.json")"
