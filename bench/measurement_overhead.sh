#!/usr/bin/env bash
# Measurement overhead of a configs/quick.yaml run: one task of that sweep (by default its resnet18 k=8 Adam task:
# 300 noisy Fashion-MNIST images, 30 epochs), trained by `strata train` with the task's spec exactly as
# `strata validate` expands it from the config (measurement settings included), on THREADS threads. Prints the
# time by stage and the ratio measured / trained, then the measurement's share of the whole run. Training and
# measurement run in the same process, one after the other, so machine noise touches both alike.
#
#   bench/measurement_overhead.sh [path/to/strata] [threads] [config] [task label]
#
# The task label is matched exactly against `strata validate CONFIG` (e.g. "arch=vit optimizer=sgd lr=0.05
# width=64"); `all` runs every task of the config in turn.
set -euo pipefail
strata=${1:-.build/release/strata}
threads=${2:-1}
config=${3:-configs/quick.yaml}
label=${4:-arch=resnet18 optimizer=adam lr=0.002 width=8}

tasks=$("$strata" validate "$config" --json --skip-data) || { echo "cannot read the tasks of $config with $strata" >&2; exit 1; }
specs=$(python3 - "$label" "$tasks" <<'PY'
import json, sys
label, lines = sys.argv[1], [json.loads(l) for l in sys.argv[2].splitlines() if l.strip()]
chosen = [t for t in lines if label in ("all", t["label"])]
if not chosen:
    sys.exit("no task labelled '%s'; the config's tasks are:\n  %s" % (label, "\n  ".join(t["label"] for t in lines)))
for t in chosen:
    print(t["label"] + "\t" + json.dumps(t["spec"], separators=(",", ":")))
PY
)
while IFS=$'\t' read -r task spec; do
    echo "== $task (threads=$threads)"
    log=$("$strata" train --spec-json "$spec" --set threads="$threads" 2>&1 >/dev/null) || {
        echo "$log" | tail -20 >&2; echo "strata train failed on '$task' (its last lines above)" >&2; exit 1; }
    stages=$(grep '^time by stage:' <<< "$log")
    echo "$stages"
    python3 - "$stages" <<'PY'
import re, sys
t = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+)s", sys.argv[1])}
measured = sum(t.get(k, 0) for k in ("forward", "cka", "probes", "planes"))
print(f"training {t['training']:.2f}s; per-epoch evaluation {t.get('evaluation', 0):.2f}s; measurement {measured:.2f}s "
      f"(forward {t.get('forward', 0):.2f}, CKA {t.get('cka', 0):.2f}, probes {t.get('probes', 0):.2f}, "
      f"planes {t.get('planes', 0):.2f}) = {100 * measured / t['training']:.1f}% of training")
run = t['training'] + t.get('evaluation', 0) + measured
print(f"the whole run (training, per-epoch evaluation, measurement) {run:.1f}s: measurement {100 * measured / run:.0f}% of it")
PY
done <<< "$specs"
