#!/usr/bin/env bash
# Distributed benchmark: N zero-length synthetic tasks through 4 in-process workers
# (tasks/s completed and durably stored), then event ingestion (events/s committed before ack).
# Usage: bench/dist_throughput.sh [debug|release] [tasks] [events-per-task]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-release}; tasks=${2:-2000}; events=${3:-1000}
bin=.build/$mode/strata
dir=$(mktemp -d)
trap 'for p in ${pids:-}; do kill -9 $p 2>/dev/null || true; done; rm -rf "$dir"' EXIT
port=$((20000 + RANDOM % 20000))

run() { # name tasks events
    local widths; widths=$(seq -s, 1 "$2")
    cat > "$dir/$1.yaml" <<YAML
name: $1
kind: synthetic
grid: {width: [$widths]}
synthetic: {events: $3, pace_ms: 0}
YAML
    pids=""
    local start end
    start=$(date +%s.%N)
    $bin coordinator "$dir/$1.yaml" --bind "tcp://127.0.0.1:$port" --out "$dir/$1" 2>"$dir/$1.log" &
    local c=$!
    for i in 1 2 3 4; do $bin worker --connect "tcp://127.0.0.1:$port" --in-process 2>/dev/null & pids="$pids $!"; done
    wait $c
    end=$(date +%s.%N)
    local stored; stored=$(sqlite3 "$dir/$1/strata.sqlite" "select count(*) from task where state='done'")
    local evs; evs=$(sqlite3 "$dir/$1/strata.sqlite" "select count(*) from event")
    echo "$1: $stored tasks done, $evs events stored in $(echo "$end - $start" | bc) s (incl. start-up):" \
        "$(echo "$stored / ($end - $start)" | bc) tasks/s, $(echo "$evs / ($end - $start)" | bc) events/s"
    port=$((port + 1))
}
run tasks "$tasks" 0
run events 50 "$events"
