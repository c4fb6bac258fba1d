#!/usr/bin/env bash
# Distributed benchmark: N zero-length synthetic tasks through 4 in-process workers
# (tasks/s completed and durably stored), then event ingestion (events/s committed before ack).
# Usage: bench/dist_throughput.sh [debug|release] [tasks] [events-per-task] [ingest-tasks] [curve|sse]
# SLOTS=n (default 1): each of the 4 workers runs n tasks at once (`strata worker --slots n`), so that up to 4n
# leases are in flight and each of the coordinator's rounds (one store transaction) carries more of them.
# With `curve` as the fifth argument, event ingestion runs a second time with CURVE keys on
# (encryption and the ZAP allow-list), for the cost of security against the plain run before it.
# With `sse`, it runs a second time with the live dashboard on (`--http`) and two clients attached to
# its event stream (one on the status and task table, one following the first task's section, as the
# page does), for the cost of a dashboard being watched against the plain run before it.
#
# The workers start first and wait for the coordinator (each asks strata-train, which loads libtorch,
# for its devices as it starts), so that start-up does not compete with the sweep on a 2-core machine.
# Two figures per run:
#   in-sweep  tasks (events) stored / (last attempt ended - first attempt started), read from the store
#   wall      the same count / wall time of the coordinator process, start-up and config expansion included
# and the coordinator's CPU time (user + system, start-up included).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-release}; tasks=${2:-2000}; events=${3:-1000}; ingest_tasks=${4:-50}; curve=${5:-}
bin=${STRATA_BIN:-.build/$mode/strata}  # STRATA_BIN: compare another build
slots=${SLOTS:-1}
dir=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill -9 $p 2>/dev/null || true; done; rm -rf "$dir"' EXIT
port=$((20000 + RANDOM % 20000))

run() { # name tasks events [keys-folder] [sse]
    local keys=${4:-} sse=${5:-}
    local widths; widths=$(seq -s, 1 "$2")
    cat > "$dir/$1.yaml" <<YAML
name: $1
kind: synthetic
grid: {width: [$widths]}
synthetic: {events: $3, pace_ms: 0}
YAML
    local workers=""
    for i in 1 2 3 4; do
        local worker_keys=()
        [[ -n $keys ]] && worker_keys=(--keys "$keys/workers/worker-00$i")
        $bin worker --connect "tcp://127.0.0.1:$port" --in-process --slots "$slots" "${worker_keys[@]}" 2>/dev/null &
        workers="$workers $!"
    done
    pids="$pids $workers"
    sleep 3
    local http=() clients=""
    if [[ -n $sse ]]; then
        local web=$((port + 10000))
        http=(--http "127.0.0.1:$web")
        # The clients wait for the dashboard, then read its streams until the coordinator ends.
        (curl -sN --retry 100 --retry-delay 0 --retry-connrefused "http://127.0.0.1:$web/events" | wc -c \
            > "$dir/$1.sse-status") &
        clients="$clients $!"
        (for _ in $(seq 200); do
            id=$(curl -sf "http://127.0.0.1:$web/tasks.json" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4) || true
            [[ -n ${id:-} ]] && break
            sleep 0.05
         done
         curl -sN "http://127.0.0.1:$web/events?task=$id" | wc -c > "$dir/$1.sse-task") &
        clients="$clients $!"
    fi
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$dir/$1.time" \
        "$bin" coordinator "$dir/$1.yaml" --bind "tcp://127.0.0.1:$port" --out "$dir/$1" ${keys:+--keys "$keys"} \
        "${http[@]}" 2>"$dir/$1.log"
    end=$(date +%s.%N)
    for p in $clients; do wait "$p" 2>/dev/null || true; done
    # Workers leave on the coordinator's BYE; one that was between reconnects when a short sweep
    # ended never got it and would wait for a coordinator forever.
    sleep 2
    for p in $workers; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    local db="$dir/$1/strata.sqlite"
    local stored; stored=$(sqlite3 "$db" "select count(*) from task where state='done'")
    local evs; evs=$(sqlite3 "$db" "select count(*) from event")
    local span; span=$(sqlite3 "$db" "select max(ended) - min(started) from attempt")
    local cpu; cpu=$(awk '{ print $1 + $2 }' "$dir/$1.time")
    local wall; wall=$(echo "$end - $start" | bc)
    printf '%s: %d tasks, %d events stored; in-sweep %.3f s: %d tasks/s, %d events/s;' \
        "$1" "$stored" "$evs" "$span" "$(echo "$stored / $span" | bc)" "$(echo "$evs / $span" | bc)"
    printf ' wall %.2f s: %d tasks/s, %d events/s; coordinator CPU %.2f s\n' \
        "$wall" "$(echo "$stored / $wall" | bc)" "$(echo "$evs / $wall" | bc)" "$cpu"
    if [[ -n $sse ]]; then
        echo "  dashboard clients received $(cat "$dir/$1.sse-status" 2>/dev/null || echo 0) bytes (status, tasks)" \
            "and $(cat "$dir/$1.sse-task" 2>/dev/null || echo 0) bytes (a task's section)"
    fi
    port=$((port + 1))
}
run tasks "$tasks" 0
run events "$ingest_tasks" "$events"
if [[ $curve == sse ]]; then
    run events-sse "$ingest_tasks" "$events" "" sse
fi
if [[ $curve == curve ]]; then
    $bin keys generate "$dir/keys" --workers 4 >/dev/null
    run events-curve "$ingest_tasks" "$events" "$dir/keys"
fi
