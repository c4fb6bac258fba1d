#!/usr/bin/env bash
# Start-up cost of the strata processes (issue 16: a lean coordinator). Usage:
#   bench/startup.sh [STRATA] [rounds]        (default .build/release/strata, 5 rounds)
# Per round, with /usr/bin/time (user + system CPU, maximum resident memory):
#   help         `strata --help`: the process start-up alone
#   validate     `strata validate` of a 2,000-task config (grid expansion and task ids included)
#   coordinator  `strata coordinator` of a one-task synthetic sweep, from start to its end
#   worker       `strata worker --device cpu` for that sweep, with its task's child process (waited for,
#                so counted by time: its libtorch too), from start to the coordinator's BYE
#   idle worker  the worker process alone, 2 s after it started with no coordinator to reach (CPU and
#                resident memory from /proc/PID/stat and status)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/strata}
rounds=${2:-5}
dir=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT
cat > "$dir/one.yaml" <<YAML
name: one
kind: synthetic
synthetic: {events: 1, pace_ms: 0}
YAML
cat > "$dir/big.yaml" <<YAML
name: big
kind: synthetic
grid: {width: [$(seq -s, 1 100)], optimizer: [sgd, adam]}
seeds: 10
YAML
measure() { # label file
    read -r wall user sys rss < "$2"
    printf '  %-12s wall %5.2f s  CPU %5.2f s  max RSS %4d MiB\n' "$1" "$wall" "$(echo "$user + $sys" | bc)" \
        "$((rss / 1024))"
}
for round in $(seq "$rounds"); do
    echo "round $round ($bin)"
    /usr/bin/time -f "%e %U %S %M" -o "$dir/help.time" "$bin" --help > /dev/null
    measure help "$dir/help.time"
    /usr/bin/time -f "%e %U %S %M" -o "$dir/validate.time" "$bin" validate "$dir/big.yaml" > /dev/null
    measure validate "$dir/validate.time"
    port=$((20000 + RANDOM % 20000))
    /usr/bin/time -f "%e %U %S %M" -o "$dir/worker.time" \
        "$bin" worker --connect "tcp://127.0.0.1:$port" --device cpu 2>/dev/null &
    worker=$!
    pids="$pids $worker"
    sleep 2
    /usr/bin/time -f "%e %U %S %M" -o "$dir/coordinator.time" \
        "$bin" coordinator "$dir/one.yaml" --bind "tcp://127.0.0.1:$port" --out "$dir/out-$round" 2>/dev/null
    # The worker leaves on the coordinator's BYE.
    for _ in $(seq 50); do kill -0 "$worker" 2>/dev/null || break; sleep 0.1; done
    for p in $(ps -o pid= --ppid "$worker" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    wait "$worker" 2>/dev/null || true
    measure coordinator "$dir/coordinator.time"
    [[ -s "$dir/worker.time" ]] && measure worker "$dir/worker.time"
    "$bin" worker --connect "tcp://127.0.0.1:$((port + 1))" --device cpu 2>/dev/null &
    idle=$!
    pids="$pids $idle"
    sleep 2
    ticks=$(awk '{ print $14 + $15 }' "/proc/$idle/stat")
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$idle/status")
    kill "$idle" 2>/dev/null || true
    wait "$idle" 2>/dev/null || true
    printf '  %-12s            CPU %5.2f s  RSS     %4d MiB\n' "idle worker" \
        "$(echo "scale=2; $ticks / $(getconf CLK_TCK)" | bc)" "$((rss / 1024))"
done
