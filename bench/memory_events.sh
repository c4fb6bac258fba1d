#!/usr/bin/env bash
# Coordinator memory across 1,000,000 ingested events: RSS (VmRSS of /proc/<pid>/status) sampled
# every 0.5 s against the number of stored events; prints RSS at 100k and at the last sample (≈1M).
# Usage: bench/memory_events.sh [debug|release] [tasks] [events-per-task]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-release}; tasks=${2:-100}; events=${3:-10000}
bin=.build/$mode/strata
dir=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill -9 $p 2>/dev/null || true; done; rm -rf "$dir"' EXIT
port=$((20000 + RANDOM % 20000)); endpoint="tcp://127.0.0.1:$port"
cat > "$dir/mem.yaml" <<YAML
name: mem
kind: synthetic
grid: {width: [$(seq -s, 1 "$tasks")]}
synthetic: {events: $events, pace_ms: 0}
YAML
for _ in 1 2 3 4; do $bin worker --connect "$endpoint" --in-process 2>/dev/null & pids="$pids $!"; done
sleep 3
$bin coordinator "$dir/mem.yaml" --bind "$endpoint" --out "$dir/out" 2>"$dir/coordinator.log" &
c=$!; pids="$pids $c"
db="$dir/out/strata.sqlite"
at100k=""; last=""; lastn=0; mark=100000
while kill -0 "$c" 2>/dev/null; do
    sleep 0.5
    rss=$(awk '/VmRSS/ { print $2 }' "/proc/$c/status" 2>/dev/null || true)
    [ -n "$rss" ] && [ -f "$db" ] || continue
    n=$(sqlite3 "$db" "select coalesce(max(rowid), 0) from event" 2>/dev/null || echo "$lastn")
    if [ "$n" -ge "$mark" ]; then
        echo "  $n events: RSS $((rss / 1024)) MiB"
        [ -z "$at100k" ] && at100k=$rss
        mark=$((mark + 100000))
    fi
    last=$rss; lastn=$n
done
wait "$c" || true
total=$(sqlite3 "$db" "select count(*) from event")
echo "coordinator RSS: $((at100k / 1024)) MiB at 100k events, $((last / 1024)) MiB at $lastn of $total events" \
    "(ratio $(echo "scale=3; $last / $at100k" | bc))"
